/**
 * Secrets inside `stalwart.objects` properties. A stack file holds a secret as `{ secure: … }`
 * (encrypted, an offline plan) or, under Pulumi, as the decrypted text: a value the generated schema
 * calls secret (SecretKey `secret`, a PEM key, …) becomes a Secret either way, printed masked and
 * handed to Pulumi as a secret; ciphertext anywhere becomes an encrypted Secret.
 */
import { TABLE } from "../stalwart/schema/table";
import type { FieldDescriptor, SchemaDescriptor } from "../stalwart/schema/types";
import { isCiphertext, isSecret, Secret } from "./secret";

const isRecord = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v) && !isSecret(v);

/** The field set a value of `schemaName` uses: its variant's (by `@type`, else the default one), or its only one. */
function fieldsOf(
    schemaName: string | undefined,
    value: Record<string, unknown>,
): Record<string, FieldDescriptor> | undefined {
    const schema: SchemaDescriptor | undefined = schemaName ? TABLE.schemas[schemaName] : undefined;
    if (!schema) return undefined;
    if (!("variants" in schema)) return schema.fields;
    const variant = typeof value["@type"] === "string" ? value["@type"] : schema.defaultVariant;
    const target = schema.variants[variant];
    const inner = target ? TABLE.schemas[target] : undefined;
    return inner && "fields" in inner ? inner.fields : undefined;
}

function walk(value: unknown, field: FieldDescriptor | undefined, schemaName: string | undefined): unknown {
    if (isCiphertext(value)) return new Secret<string>(undefined, true);
    if (isSecret(value)) return value;
    if (typeof value === "string" && field && (field.format === "secret" || field.format === "secretText"))
        return new Secret(value);
    if (!isRecord(value)) return value;
    // a set/map/objectList holds its elements under keys; an embedded object holds fields
    const element = field?.kind === "objectList" ? field.element : field?.kind === "map" ? field.value : undefined;
    if (element)
        return Object.fromEntries(
            Object.entries(value).map(([k, v]) => [k, walk(v, element as FieldDescriptor, element.objectName)]),
        );
    const fields = fieldsOf(field?.kind === "object" ? field.objectName : schemaName, value);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, fields?.[k], undefined)]));
}

/** `properties` with every secret value of `objectType` (and every ciphertext) as a Secret; an unknown type only has its ciphertext wrapped. */
export function objectSecrets(objectType: string, properties: Record<string, unknown>): Record<string, unknown> {
    const schema = TABLE.objects[objectType]?.schema;
    return walk(properties, undefined, schema) as Record<string, unknown>;
}
