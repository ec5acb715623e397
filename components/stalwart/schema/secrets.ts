/**
 * Which schema fields hold secrets: a `secret`/`secretText` string, or (at any depth) an object, list
 * or map whose schema has one. Pure, over any set of schemas (the whole table or one type's subset),
 * so the provider, StalwartObject and the config layer share one walk.
 */
import type { FieldDescriptor, SchemaDescriptor } from "./types";

export const isSecretField = (f: { kind: string; format?: string }) =>
    f.kind === "string" && (f.format === "secret" || f.format === "secretText");

/** Does a value of this field (at any depth) hold a secret string? Cycles in the schema end the walk. */
export function secretBearing(
    schemas: Readonly<Record<string, SchemaDescriptor | undefined>>,
    f: FieldDescriptor,
    seen = new Set<string>(),
): boolean {
    if (isSecretField(f)) return true;
    const target =
        f.kind === "object"
            ? f.objectName
            : f.kind === "objectList"
              ? f.element?.objectName
              : f.kind === "map"
                ? f.value?.objectName
                : undefined;
    if (!target || seen.has(target)) return false;
    seen.add(target);
    const schema = schemas[target];
    if (!schema) return false;
    const variants =
        "variants" in schema
            ? Object.values(schema.variants).flatMap((v) => (v && schemas[v] ? [schemas[v]] : []))
            : [schema];
    return variants.some(
        (s) => "fields" in s && Object.values(s.fields).some((inner) => secretBearing(schemas, inner, seen)),
    );
}
