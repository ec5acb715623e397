/**
 * Registry schema (+ optional facts) → SchemaTable. Pure: no I/O, no ordering concerns (the
 * serializer sorts keys).
 */
import type { FactsFile, ObjectFacts, RawElementType, RawFieldType, RegistrySchema, SchemaFacts } from "./input";
import { references } from "../../components/stalwart/schema/references";
import type {
    ElementDescriptor,
    FieldDescriptor,
    FieldKind,
    ObjectDescriptor,
    SchemaDescriptor,
    SchemaTable,
} from "../../components/stalwart/schema/types";
import { defaultToWire } from "./wireDefaults";

const FIELD_KINDS: ReadonlySet<string> = new Set<FieldKind>([
    "string",
    "number",
    "boolean",
    "enum",
    "objectId",
    "blobId",
    "utcDateTime",
    "object",
    "set",
    "objectList",
    "map",
]);

/** The facts file's global unique key "email" is the (name, domainId) pair (its legend says so). */
const EMAIL_COMPOSITE_KEY = ["name", "domainId"];

export function isApiObject(name: string, schema: RegistrySchema): boolean {
    return name.startsWith("x:") && schema.objects[name]?.type !== "view";
}

export function buildTable(
    schema: RegistrySchema,
    facts: FactsFile | undefined,
    source: SchemaTable["source"],
): SchemaTable {
    const factsBySchema = indexFactsBySchema(facts);
    const objects: Record<string, ObjectDescriptor> = {};
    for (const [name, entry] of Object.entries(schema.objects)) {
        if (!isApiObject(name, schema)) continue;
        if (!schema.schemas[name])
            throw new Error(
                `Schema has object ${name} but no schemas["${name}"] entry; the schema file looks truncated.`,
            );
        objects[name] = objectDescriptor(
            name,
            entry.type === "singleton",
            entry.enterprise === true,
            facts?.objects[name],
        );
    }
    const schemas: Record<string, SchemaDescriptor> = {};
    const enums: Record<string, string[]> = {};
    const pending = Object.keys(objects);
    const addSchema = (name: string) => {
        if (!(name in schemas) && !pending.includes(name)) pending.push(name);
    };
    const addEnum = (name: string) => {
        const values = schema.enums[name];
        if (!values) throw new Error(`Schema references enum ${name}, which schemas["enums"] does not define.`);
        enums[name] = values.map((v) => v.name);
    };
    for (let name = pending.shift(); name !== undefined; name = pending.shift()) {
        const descriptor = schemaDescriptor(name, schema, factsBySchema.get(name));
        schemas[name] = descriptor;
        for (const ref of references(descriptor)) (ref.enum ? addEnum : addSchema)(ref.name);
    }
    return { source, objects, schemas, enums };
}

function indexFactsBySchema(facts: FactsFile | undefined): Map<string, SchemaFacts> {
    const bySchema = new Map<string, SchemaFacts>();
    if (!facts) return bySchema;
    for (const [name, object] of Object.entries(facts.objects)) {
        if (object.variantSchemas)
            for (const [variantSchema, f] of Object.entries(object.variantSchemas)) bySchema.set(variantSchema, f);
        else bySchema.set(object.schemaName ?? name, object);
    }
    for (const [name, f] of Object.entries(facts.embeddedSchemas)) bySchema.set(name, f);
    return bySchema;
}

const sortedUnion = (lists: (string[] | undefined)[]) => [...new Set(lists.flatMap((l) => l ?? []))].sort();

function objectDescriptor(
    name: string,
    singleton: boolean,
    enterprise: boolean,
    facts: ObjectFacts | undefined,
): ObjectDescriptor {
    const parts: SchemaFacts[] = facts ? [facts, ...Object.values(facts.variantSchemas ?? {})] : [];
    const unique = sortedUnion(parts.map((p) => p.uniqueWithinType));
    const globalComposite = sortedUnion(parts.map((p) => p.uniqueGlobalComposite));
    const foreignKeys = new Map<string, ObjectDescriptor["foreignKeys"][number]>();
    for (const fk of parts.flatMap((p) => p.foreignKeys ?? [])) {
        const entry = { via: fk.via, object: fk.object, ...(fk.typeFilter ? { typeFilter: fk.typeFilter } : {}) };
        foreignKeys.set(JSON.stringify(entry), entry);
    }
    const descriptor: ObjectDescriptor = {
        name,
        kind: singleton ? "singleton" : "collection",
        schema: name,
        unique,
        foreignKeys: [...foreignKeys.values()].sort((a, b) =>
            `${a.via} ${a.object}`.localeCompare(`${b.via} ${b.object}`),
        ),
        computedOnGet: sortedUnion(parts.map((p) => p.computedOnGet)),
        notReturnedByGet: sortedUnion(parts.map((p) => p.notReturnedByGet)),
        sequentialId: facts?.flags.includes("sequentialId") ?? false,
        enterprise,
    };
    if (globalComposite.includes("email")) descriptor.naturalKeyComposite = EMAIL_COMPOSITE_KEY;
    else if (unique.includes("name")) descriptor.naturalKey = "name";
    else if (unique.length === 1) descriptor.naturalKey = unique[0];
    return descriptor;
}

function schemaDescriptor(name: string, schema: RegistrySchema, facts: SchemaFacts | undefined): SchemaDescriptor {
    const entry = schema.schemas[name];
    if (entry?.type === "multiple") {
        const variants = Object.fromEntries(entry.variants.map((v) => [v.name, v.schemaName ?? null]));
        return { variants, defaultVariant: entry.variants[0]!.name };
    }
    const fieldSet = schema.fields[entry?.schemaName ?? name];
    if (!fieldSet)
        throw new Error(
            `Schema ${name} is referenced but has no fields["${entry?.schemaName ?? name}"] entry; the schema file looks truncated.`,
        );
    const fields: Record<string, FieldDescriptor> = {};
    for (const [property, raw] of Object.entries(fieldSet.properties)) {
        const where = `${name}.${property}`;
        const field: FieldDescriptor = {
            ...elementDescriptor(raw.type, schema, where),
            nullable: raw.type.nullable === true,
            update: raw.update,
        };
        addContainerTypes(field, raw.type, schema, where);
        for (const bound of ["min", "max", "minItems", "maxLength"] as const) {
            if (raw.type[bound] !== undefined) field[bound] = raw.type[bound];
        }
        const fieldFacts = facts?.fields?.[property];
        const schemaDefault = fieldSet.defaults?.[property];
        if (fieldFacts?.defaultWire !== undefined) field.default = fieldFacts.defaultWire;
        else if (schemaDefault !== undefined) field.default = defaultToWire(schemaDefault, raw.type, schema);
        // validate() also rejects a set/list shorter than minItems, which the facts do not flag as required
        const required =
            fieldFacts?.validatedRequired || facts?.validatedRequired?.includes(property) || (field.minItems ?? 0) > 0;
        if (required) field.required = true;
        if (fieldFacts?.clientMustProvide || (required && field.update !== "serverSet" && field.default === undefined))
            field.mustProvide = true;
        if (raw.enterprise) field.enterprise = true;
        fields[property] = field;
    }
    return { fields };
}

function addContainerTypes(field: FieldDescriptor, raw: RawFieldType, schema: RegistrySchema, where: string): void {
    if (field.kind === "set") {
        if (!raw.class) throw new Error(`${where}: set without an element "class" in the schema.`);
        field.element = elementDescriptor(raw.class, schema, `${where}[]`);
    } else if (field.kind === "objectList") {
        if (!raw.objectName) throw new Error(`${where}: objectList without an "objectName" in the schema.`);
        field.element = { kind: "object", objectName: raw.objectName };
    } else if (field.kind === "map") {
        if (!raw.keyClass || !raw.valueClass)
            throw new Error(`${where}: map without "keyClass"/"valueClass" in the schema.`);
        field.key = elementDescriptor(raw.keyClass, schema, `${where}{key}`);
        field.value = elementDescriptor(raw.valueClass, schema, `${where}{value}`);
    }
}

function elementDescriptor(raw: RawElementType, schema: RegistrySchema, where: string): ElementDescriptor {
    if (!FIELD_KINDS.has(raw.type)) {
        throw new Error(
            `${where}: unknown field type "${raw.type}" (known: ${[...FIELD_KINDS].join(", ")}); teach tools/schema/buildTable.ts about it.`,
        );
    }
    const element: ElementDescriptor = { kind: raw.type as FieldKind };
    if (raw.format !== undefined) element.format = raw.format;
    if (raw.enumName !== undefined) element.enumName = raw.enumName;
    if (raw.objectName !== undefined) {
        const view = schema.objects[raw.objectName];
        if (element.kind === "objectId" && view?.type === "view" && view.objectName) {
            element.objectName = view.objectName;
            element.view = raw.objectName;
        } else {
            element.objectName = raw.objectName;
        }
    }
    return element;
}
