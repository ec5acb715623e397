/**
 * The registry schema's `defaults` are written for Stalwart's web UI; a few differ from the wire
 * encoding the /set and /get methods use (an Expression as `{"default": x}` rather than
 * `{"match": {}, "else": x}`, a Rate's period as "1m" rather than milliseconds). This converts them,
 * schema-driven; the facts file's `defaultWire` values agree (test/unit/schemaGenerate.test.ts).
 */
import type { RawFieldType, RegistrySchema } from "./input";

const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);

const DURATION_UNIT_MS: Record<string, number> = {
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
    w: 604_800_000,
};

/** "1m" → 60000; a number passes through. Throws on anything else so a new unit is noticed. */
export function durationToMs(value: unknown): number {
    if (typeof value === "number") return value;
    const match = typeof value === "string" ? /^(\d+)\s*(ms|s|m|h|d|w)?$/.exec(value.trim()) : null;
    if (!match)
        throw new Error(
            `Cannot convert duration default ${JSON.stringify(value)} to milliseconds (expected e.g. "30s", "1m", 60000).`,
        );
    return Number(match[1]) * (DURATION_UNIT_MS[match[2] ?? "ms"] ?? 1);
}

/** Expression defaults: `{"default":x}` or `{"match":[…],"else":x}` → `{"match":{"0":…},"else":x}`. */
function expressionToWire(value: Record<string, unknown>): Record<string, unknown> {
    if ("default" in value && Object.keys(value).length === 1) return { match: {}, else: value.default };
    if (Array.isArray(value.match)) {
        return { match: Object.fromEntries(value.match.map((rule, index) => [String(index), rule])), else: value.else };
    }
    return value;
}

/** Convert one field's schema default to wire encoding, recursing into embedded single schemas. */
export function defaultToWire(value: unknown, type: RawFieldType, schema: RegistrySchema): unknown {
    if (type.type !== "object" || !isRecord(value) || type.objectName === undefined) return value;
    return embeddedToWire(value, type.objectName, schema);
}

function embeddedToWire(
    value: Record<string, unknown>,
    schemaName: string,
    schema: RegistrySchema,
): Record<string, unknown> {
    if (schemaName === "x:Expression") return expressionToWire(value);
    if (schemaName === "x:Rate" && typeof value.period === "string")
        return { ...value, period: durationToMs(value.period) };
    const fields = fieldsOf(value, schemaName, schema);
    if (!fields) return value;
    const converted: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
        const innerType = fields[key]?.type;
        converted[key] = innerType ? defaultToWire(inner, innerType, schema) : inner;
    }
    return converted;
}

/** The field set an embedded value uses: the single schema, or the variant its `@type` names. */
function fieldsOf(value: Record<string, unknown>, schemaName: string, schema: RegistrySchema) {
    const entry = schema.schemas[schemaName];
    if (!entry) return undefined;
    if (entry.type === "single") return schema.fields[entry.schemaName]?.properties;
    const variant = entry.variants.find((v) => v.name === value["@type"]);
    return variant?.schemaName ? schema.fields[variant.schemaName]?.properties : undefined;
}
