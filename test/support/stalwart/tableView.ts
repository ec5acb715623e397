/**
 * Read helpers over a SchemaTable: which fields an object (or one of its variants) has and what
 * the server's defaults look like. Default construction follows Stalwart (docs/stalwart-facts.md#field-defaults): schema defaults
 * where given, otherwise the Rust Default of the field's kind.
 */
import type {
    ElementDescriptor,
    FieldDescriptor,
    ObjectDescriptor,
    SchemaDescriptor,
    SchemaTable,
} from "../../../components/stalwart/schema/types";
import { isVariantSchema } from "../../../components/stalwart/schema/types";
import { INVALID_ID } from "./ids";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isPlainObject = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v);

export const clone = <T>(v: T): T => structuredClone(v);

/** UTC date-time in the server's output form (no fractional seconds). */
export const utcNow = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export class TableView {
    constructor(readonly table: SchemaTable) {}

    object(type: string): ObjectDescriptor | undefined {
        return this.table.objects[type];
    }

    schema(name: string): SchemaDescriptor {
        const s = this.table.schemas[name];
        if (!s) throw new Error(`schema ${name} missing from the table`);
        return s;
    }

    isVariant(schemaName: string): boolean {
        return isVariantSchema(this.schema(schemaName));
    }

    variants(schemaName: string): Record<string, string | null> | undefined {
        const s = this.schema(schemaName);
        return isVariantSchema(s) ? s.variants : undefined;
    }

    /** The fields of a single schema, or of the named variant of a variant schema. */
    fields(schemaName: string, variant?: Json): Record<string, FieldDescriptor> {
        const s = this.schema(schemaName);
        if (!isVariantSchema(s)) return s.fields;
        const target = typeof variant === "string" ? s.variants[variant] : undefined;
        if (!target) return {};
        const inner = this.schema(target);
        return isVariantSchema(inner) ? {} : inner.fields;
    }

    /** A fresh object of a schema with every property at its default (variant: the given or default one). */
    defaultObject(schemaName: string, variant?: string): JsonObject {
        const s = this.schema(schemaName);
        const out: JsonObject = {};
        let fields: Record<string, FieldDescriptor>;
        if (isVariantSchema(s)) {
            const v = variant ?? s.defaultVariant;
            out["@type"] = v;
            fields = this.fields(schemaName, v);
        } else {
            fields = s.fields;
        }
        for (const [name, field] of Object.entries(fields)) out[name] = this.defaultValue(field);
        return out;
    }

    defaultValue(field: FieldDescriptor): Json {
        if (field.default !== undefined) return this.expandDefault(field, clone(field.default) as Json);
        if (field.nullable) return null;
        return this.kindDefault(field);
    }

    /** Rust Default of a kind: "", 0, false, {}, first enum value, first variant, u64::MAX id, now. */
    kindDefault(e: ElementDescriptor): Json {
        switch (e.kind) {
            case "string":
            case "blobId":
                return "";
            case "number":
                return 0;
            case "boolean":
                return false;
            case "enum":
                return this.table.enums[e.enumName ?? ""]?.[0] ?? "";
            case "objectId":
                return INVALID_ID;
            case "utcDateTime":
                return utcNow();
            case "object":
                return this.defaultObject(e.objectName!);
            default:
                return {};
        }
    }

    /** Schema defaults of embedded objects may be partial: complete them from the schema. */
    private expandDefault(field: FieldDescriptor, value: Json): Json {
        if (field.kind === "object" && isPlainObject(value)) return this.completeObject(field.objectName!, value);
        const elementSchema =
            field.kind === "objectList"
                ? field.element?.objectName
                : field.kind === "map" && field.value?.kind === "object"
                  ? field.value.objectName
                  : undefined;
        if (elementSchema && isPlainObject(value)) {
            const out: JsonObject = {};
            for (const [k, v] of Object.entries(value))
                out[k] = isPlainObject(v) ? this.completeObject(elementSchema, v) : v;
            return out;
        }
        return value;
    }

    private completeObject(schemaName: string, partial: JsonObject): JsonObject {
        const variant = typeof partial["@type"] === "string" ? partial["@type"] : undefined;
        const base = this.defaultObject(schemaName, variant);
        const fields = this.fields(schemaName, base["@type"] ?? undefined);
        for (const [k, v] of Object.entries(partial)) {
            if (k === "@type") continue;
            const f = fields[k];
            base[k] =
                f?.kind === "object" && f.objectName && isPlainObject(v) ? this.completeObject(f.objectName, v) : v;
        }
        return base;
    }
}

/** Where an objectId points: the object type, and for views (x:Account/Group) the required @type. */
export function referenceTarget(e: ElementDescriptor): { type: string; variant?: string } | undefined {
    if (e.kind !== "objectId" || !e.objectName) return undefined;
    const view = e.view ?? (e.objectName.includes("/") ? e.objectName : undefined);
    const type = e.objectName.includes("/") ? e.objectName.split("/")[0]! : e.objectName;
    const variant = view?.split("/")[1];
    return variant ? { type, variant } : { type };
}

/** Every objectId value in an object (nested objects, lists, sets and map keys/values included). */
export function collectReferences(
    view: TableView,
    schemaName: string,
    obj: JsonObject,
    prefix = "",
): { path: string; type: string; variant?: string; id: string }[] {
    const out: { path: string; type: string; variant?: string; id: string }[] = [];
    const add = (e: ElementDescriptor | undefined, id: Json, path: string) => {
        const target = e ? referenceTarget(e) : undefined;
        if (target && typeof id === "string" && id !== INVALID_ID) out.push({ path, ...target, id });
    };
    const visitElement = (e: ElementDescriptor | undefined, v: Json, path: string) => {
        if (!e) return;
        if (e.kind === "object" && e.objectName && isPlainObject(v))
            out.push(...collectReferences(view, e.objectName, v, `${path}/`));
        else add(e, v, path);
    };
    for (const [name, field] of Object.entries(view.fields(schemaName, obj["@type"]))) {
        const v = obj[name];
        const path = `${prefix}${name}`;
        if (v === null || v === undefined) continue;
        if (field.kind === "set" && isPlainObject(v)) for (const k of Object.keys(v)) add(field.element, k, path);
        else if (field.kind === "objectList" && isPlainObject(v)) {
            for (const [k, el] of Object.entries(v)) visitElement(field.element, el, `${path}/${k}`);
        } else if (field.kind === "map" && isPlainObject(v)) {
            for (const [k, el] of Object.entries(v)) {
                add(field.key, k, path);
                visitElement(field.value, el, `${path}/${k}`);
            }
        } else visitElement(field, v, path);
    }
    return out;
}
