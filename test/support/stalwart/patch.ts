/**
 * JSON-pointer patching of registry objects (docs/stalwart-facts.md#set-semantics). Keys are pointer paths relative to
 * the object; what writing a whole value does depends on the property's kind:
 * scalars and set/objectList/map are replaced, variant objects reset to the defaults of the sent
 * `@type`, single-schema objects are merged. Element patches address set members, map keys and
 * list indexes. Create mode allows immutable fields; serverSet is never writable.
 */
import type { ElementDescriptor, FieldDescriptor } from "../../../components/stalwart/schema/types";
import { invalidPatch } from "./errors";
import { clone, isPlainObject, type Json, type JsonObject, type TableView } from "./tableView";
import { normalizeScalar } from "./validate";

export type PatchMode = "create" | "update";

/** "a/b~1c" → ["a", "b/c"]; a leading "/" is optional. */
export function parsePointer(key: string): string[] {
    const body = key.startsWith("/") ? key.slice(1) : key;
    return body.split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

const BAD_OBJECT = "Invalid value for object property";
const BAD_TYPE = "Missing or invalid '@type' property in object";

export class Patcher {
    constructor(
        private readonly view: TableView,
        private readonly mode: PatchMode,
    ) {}

    /** Applies one pointer-keyed property to an object of the given schema (mutates `obj`). */
    apply(schemaName: string, obj: JsonObject, key: string, value: Json): void {
        this.patchObject(schemaName, obj, parsePointer(key), value, "");
    }

    /** Builds an embedded object (or top-level create) from defaults plus the given properties. */
    build(schemaName: string, value: Json, path: string, current?: JsonObject): JsonObject {
        if (!isPlainObject(value)) throw invalidPatch(path || "", BAD_OBJECT);
        let base: JsonObject;
        const variants = this.view.variants(schemaName);
        if (variants) {
            const type = value["@type"];
            if (typeof type !== "string" || !(type in variants))
                throw invalidPatch(path ? `${path}/@type` : "@type", BAD_TYPE);
            base = this.view.defaultObject(schemaName, type);
        } else {
            base = current ? clone(current) : this.view.defaultObject(schemaName);
        }
        for (const [k, v] of Object.entries(value)) {
            if (k === "@type") continue;
            this.patchObject(schemaName, base, parsePointer(k), v, path ? `${path}/` : "");
        }
        return base;
    }

    private patchObject(schemaName: string, obj: JsonObject, segments: string[], value: Json, prefix: string): void {
        const [prop, ...rest] = segments;
        const path = `${prefix}${prop ?? ""}`;
        if (prop === undefined || prop === "") throw invalidPatch(path, "Invalid property");
        if (prop === "@type" && this.view.variants(schemaName)) {
            if (rest.length > 0) throw invalidPatch(path, "Invalid property");
            if (value === obj["@type"]) return;
            const rebuilt = this.build(schemaName, { "@type": value }, prefix.replace(/\/$/, ""));
            for (const k of Object.keys(obj)) delete obj[k];
            Object.assign(obj, rebuilt);
            return;
        }
        const field = this.view.fields(schemaName, obj["@type"])[prop];
        if (!field) throw invalidPatch(path, "Invalid property");
        if (field.update === "serverSet") throw invalidPatch(path, "Cannot modify server set property");
        if (field.update === "immutable" && this.mode === "update")
            throw invalidPatch(path, "Cannot modify read-only property");
        obj[prop] = this.patchValue(field, obj[prop] ?? null, rest, value, path);
    }

    /** Writes `value` at `segments` below a value of descriptor `d`; returns the new value. */
    private patchValue(d: FieldDescriptor, current: Json, segments: string[], value: Json, path: string): Json {
        if (segments.length === 0) return this.writeWhole(d, value, current, path);
        const [head, ...rest] = segments as [string, ...string[]];
        const at = `${path}/${head}`;
        switch (d.kind) {
            case "set": {
                if (rest.length > 0 || !d.element) throw invalidPatch(at, "Invalid property");
                const set = isPlainObject(current) ? { ...current } : {};
                const member = String(normalizeScalar(this.view, d.element, head, at));
                if (value === true) set[member] = true;
                else if (value === false || value === null) delete set[member];
                else throw invalidPatch(at, "Invalid value for property.");
                return set;
            }
            case "map": {
                if (!d.key || !d.value) throw invalidPatch(at, "Invalid property");
                const map = isPlainObject(current) ? { ...current } : {};
                const key = String(normalizeScalar(this.view, d.key, head, at));
                if (rest.length === 0 && value === null) delete map[key];
                else map[key] = this.patchElement(d.value, map[key] ?? null, rest, value, at);
                return map;
            }
            case "objectList": {
                if (!/^\d+$/.test(head) || !d.element) throw invalidPatch(at, "Invalid property");
                const list = isPlainObject(current) ? { ...current } : {};
                if (rest.length === 0 && value === null) delete list[head];
                else if (rest.length > 0 && !isPlainObject(list[head])) throw invalidPatch(at, "Invalid property");
                else list[head] = this.patchElement(d.element, list[head] ?? null, rest, value, at);
                return compactList(list);
            }
            case "object": {
                const obj = isPlainObject(current) ? clone(current) : this.view.defaultObject(d.objectName!);
                this.patchObject(d.objectName!, obj, segments, value, `${path}/`);
                return obj;
            }
            default:
                throw invalidPatch(at, "Invalid property");
        }
    }

    private patchElement(e: ElementDescriptor, current: Json, segments: string[], value: Json, path: string): Json {
        if (segments.length === 0) return this.writeElement(e, value, current, path);
        if (e.kind !== "object" || !e.objectName || !isPlainObject(current))
            throw invalidPatch(path, "Invalid property");
        const obj = clone(current);
        this.patchObject(e.objectName, obj, segments, value, `${path}/`);
        return obj;
    }

    /** Whole-value write of a field: null clears nullable fields, collections are rebuilt. */
    private writeWhole(d: FieldDescriptor, value: Json, current: Json, path: string): Json {
        if (value === null) {
            if (d.nullable) return null;
            throw invalidPatch(path, "Invalid value for property.");
        }
        if (Array.isArray(value)) throw invalidPatch(path, BAD_OBJECT);
        switch (d.kind) {
            case "set": {
                if (!isPlainObject(value) || !d.element) throw invalidPatch(path, BAD_OBJECT);
                const set: JsonObject = {};
                for (const [k, v] of Object.entries(value)) {
                    if (typeof v !== "boolean") throw invalidPatch(`${path}/${k}`, "Invalid value for property.");
                    if (v) set[String(normalizeScalar(this.view, d.element, k, `${path}/${k}`))] = true;
                }
                return set;
            }
            case "map": {
                if (!isPlainObject(value) || !d.key || !d.value) throw invalidPatch(path, BAD_OBJECT);
                const map: JsonObject = {};
                for (const [k, v] of Object.entries(value)) {
                    if (v === null) continue;
                    map[String(normalizeScalar(this.view, d.key, k, `${path}/${k}`))] = this.writeElement(
                        d.value,
                        v,
                        null,
                        `${path}/${k}`,
                    );
                }
                return map;
            }
            case "objectList": {
                if (!isPlainObject(value) || !d.element) throw invalidPatch(path, BAD_OBJECT);
                const list: JsonObject = {};
                for (const [k, v] of Object.entries(value)) {
                    if (!/^\d+$/.test(k)) throw invalidPatch(`${path}/${k}`, "Invalid property");
                    if (v !== null) list[k] = this.writeElement(d.element, v, null, `${path}/${k}`);
                }
                return compactList(list);
            }
            default:
                return this.writeElement(d, value, current, path);
        }
    }

    private writeElement(e: ElementDescriptor, value: Json, current: Json, path: string): Json {
        if (Array.isArray(value)) throw invalidPatch(path, BAD_OBJECT);
        if (e.kind !== "object") return normalizeScalar(this.view, e, value, path);
        // Variant objects reset to the sent @type; single-schema objects merge into the current value.
        return this.build(e.objectName!, value, path, isPlainObject(current) ? current : undefined);
    }
}

/** Lists are keyed "0", "1", … with gaps compacted, in index order. */
function compactList(list: JsonObject): JsonObject {
    const out: JsonObject = {};
    Object.keys(list)
        .map(Number)
        .sort((a, b) => a - b)
        .forEach((k, i) => {
            out[String(i)] = list[String(k)]!;
        });
    return out;
}
