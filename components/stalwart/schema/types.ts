/**
 * The descriptor contract between the schema generator (tools/schema/), the generated table
 * (components/stalwart/generated/), the x:* dynamic provider and the test double. Plain JSON-able
 * data only: a provider captures a per-object subset by value, so nothing here may be a function,
 * a class instance or a module. The generator may import this file and references.ts (the
 * contract), nothing else of the provider.
 *
 * Field facts come from Stalwart's registry schema (GET /api/schema); required/unique/foreign
 * keys and computed/write-only lists from the per-object facts (both reduced into the committed
 * schema/stalwart/<version>.json).
 */

/** Wire kind of a field (schema.json `type.type`). */
export type FieldKind =
    | "string"
    | "number"
    | "boolean"
    | "enum"
    | "objectId"
    | "blobId"
    | "utcDateTime"
    | "object"
    | "set"
    | "objectList"
    | "map";

export type UpdateMode = "mutable" | "immutable" | "serverSet";

/** The element type of a set/objectList, or a map's key/value type. */
export interface ElementDescriptor {
    kind: FieldKind;
    /** string/number format: duration, size, secret, secretText, emailAddress, ipNetwork, socketAddress, uri, … */
    format?: string;
    /** enum name (a key of SchemaTable.enums) for kind "enum" */
    enumName?: string;
    /** target schema (kind "object"/"objectList") or target object type (kind "objectId") */
    objectName?: string;
    /** kind "objectId" pointing at a UI view (e.g. "x:Account/Group"): objectName is the view's object */
    view?: string;
}

export interface FieldDescriptor extends ElementDescriptor {
    nullable: boolean;
    update: UpdateMode;
    /** default in wire encoding (schema default converted where the schema's form differs) */
    default?: unknown;
    /** set/objectList element type */
    element?: ElementDescriptor;
    /** map key and value types */
    key?: ElementDescriptor;
    value?: ElementDescriptor;
    min?: number;
    max?: number;
    minItems?: number;
    maxLength?: number;
    /** rejected by the server's validate() when empty/invalid */
    required?: boolean;
    /** required, not serverSet and without default: a create must carry it */
    mustProvide?: boolean;
    enterprise?: boolean;
}

/** A schema with one field set (schema.json `schemas[n].type == "single"`). */
export interface SingleSchema {
    fields: Record<string, FieldDescriptor>;
}

/** A variant ("multiple") schema: `@type` picks the variant; a null schema carries no fields. */
export interface VariantSchema {
    variants: Record<string, string | null>;
    /** always the first listed variant */
    defaultVariant: string;
}

export type SchemaDescriptor = SingleSchema | VariantSchema;

export function isVariantSchema(s: SchemaDescriptor): s is VariantSchema {
    return (s as VariantSchema).variants !== undefined;
}

export interface ObjectDescriptor {
    /** "x:Domain" */
    name: string;
    kind: "singleton" | "collection";
    /** the object's schema (a key of SchemaTable.schemas) */
    schema: string;
    /** properties with a per-type unique index (primaryKeyViolation on clash) */
    unique: string[];
    /** the property that names an object for people and for adoption (Domain.name, NetworkListener.name, …) */
    naturalKey?: string;
    /** when several properties name the object together (x:Account: name + domainId) */
    naturalKeyComposite?: string[];
    /** typeFilter: the target's required variant (x:Account memberGroupIds → "Group") */
    foreignKeys: { via: string; object: string; typeFilter?: string }[];
    /** serverSet values computed on /get */
    computedOnGet: string[];
    /** accepted on create, never returned by /get */
    notReturnedByGet: string[];
    /** ids come from a per-type counter (b, c, …) */
    sequentialId: boolean;
    enterprise: boolean;
}

export interface SchemaTable {
    /** schema source: version tag and content hash, so a provider upgrade can be detected */
    source: { version: string; sha256: string };
    objects: Record<string, ObjectDescriptor>;
    schemas: Record<string, SchemaDescriptor>;
    enums: Record<string, string[]>;
}

/** The closure-sized subset a provider for one object type needs. */
export interface ObjectSchemaSubset {
    source: SchemaTable["source"];
    object: ObjectDescriptor;
    /** every schema reachable from the object's schema */
    schemas: Record<string, SchemaDescriptor>;
    /** every enum reachable from those schemas */
    enums: Record<string, string[]>;
}
