/**
 * Shape checks for the generator's inputs: Stalwart's registry schema (GET /api/schema), the optional
 * per-object facts file, and the committed source (schema/stalwart/<version>.json) that holds the
 * reduced pair. Only the parts the generator reads are kept: zod drops every other key
 * (descriptions, labels, forms, layouts), so nothing else can reach the committed source or the output.
 */
import { z } from "zod";

const elementType = z.object({
    type: z.string(),
    format: z.string().optional(),
    nullable: z.boolean().optional(),
    enumName: z.string().optional(),
    objectName: z.string().optional(),
});

const fieldType = elementType.extend({
    class: elementType.optional(),
    keyClass: elementType.optional(),
    valueClass: elementType.optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    minItems: z.number().optional(),
    maxLength: z.number().optional(),
});

const registrySchema = z.object({
    objects: z.record(
        z.string(),
        z.object({
            type: z.enum(["object", "singleton", "view"]),
            enterprise: z.boolean().optional(),
            objectName: z.string().optional(),
        }),
    ),
    schemas: z.record(
        z.string(),
        z.discriminatedUnion("type", [
            z.object({ type: z.literal("single"), schemaName: z.string() }),
            z.object({
                type: z.literal("multiple"),
                variants: z.array(z.object({ name: z.string(), schemaName: z.string().optional() })).min(1),
            }),
        ]),
    ),
    fields: z.record(
        z.string(),
        z.object({
            properties: z.record(
                z.string(),
                z.object({
                    type: fieldType,
                    update: z.enum(["mutable", "immutable", "serverSet"]),
                    enterprise: z.boolean().optional(),
                }),
            ),
            defaults: z.record(z.string(), z.unknown()).optional(),
        }),
    ),
    enums: z.record(z.string(), z.array(z.object({ name: z.string() }))),
});

export type RegistrySchema = z.infer<typeof registrySchema>;
export type RawFieldType = z.infer<typeof fieldType>;
export type RawElementType = z.infer<typeof elementType>;

const foreignKey = z.object({ via: z.string(), object: z.string(), typeFilter: z.string().optional() });

const fieldFacts = z.object({
    validatedRequired: z.boolean().optional(),
    clientMustProvide: z.boolean().optional(),
    defaultWire: z.unknown().optional(),
});

/** Facts about one schema's fields (an object's own schema, a variant schema or an embedded one). */
const schemaFacts = z.object({
    fields: z.record(z.string(), fieldFacts).optional(),
    validatedRequired: z.array(z.string()).optional(),
    uniqueWithinType: z.array(z.string()).optional(),
    uniqueGlobalComposite: z.array(z.string()).optional(),
    foreignKeys: z.array(foreignKey).optional(),
    computedOnGet: z.array(z.string()).optional(),
    notReturnedByGet: z.array(z.string()).optional(),
});

const objectFacts = schemaFacts.extend({
    handler: z.string(),
    flags: z.array(z.string()),
    schemaName: z.string().optional(),
    variantSchemas: z.record(z.string(), schemaFacts).optional(),
});

const factsFile = z.object({
    objects: z.record(z.string(), objectFacts),
    embeddedSchemas: z.record(z.string(), schemaFacts),
});

export type SchemaFacts = z.infer<typeof schemaFacts>;
export type ObjectFacts = z.infer<typeof objectFacts>;
export type FactsFile = z.infer<typeof factsFile>;

/** The first few issues: a wrong file yields hundreds and the first ones tell the story. */
function describeIssues(error: z.ZodError): string {
    const lines = z.prettifyError(error).split("\n");
    return lines.length > 12
        ? `${lines.slice(0, 12).join("\n")}\n… (${lines.length - 12} more lines)`
        : lines.join("\n");
}

export function parseRegistrySchema(input: unknown): RegistrySchema {
    const parsed = registrySchema.safeParse(input);
    if (!parsed.success) {
        throw new Error(
            "Input is not a Stalwart registry schema (the JSON a Stalwart server serves at GET /api/schema):\n" +
                describeIssues(parsed.error),
        );
    }
    if (!Object.keys(parsed.data.objects).some((name) => name.startsWith("x:"))) {
        throw new Error(
            "Input is not a Stalwart registry schema: it has no x:* objects (expected x:Domain, x:Account, …).",
        );
    }
    return parsed.data;
}

export function parseFacts(input: unknown): FactsFile {
    const parsed = factsFile.safeParse(input);
    if (!parsed.success) {
        throw new Error(
            "Input is not a Stalwart per-object facts file (objects-<version>.json: `objects` with handler, flags, " +
                `required, unique and foreign-key lists per x:* object, and \`embeddedSchemas\`):\n${describeIssues(parsed.error)}`,
        );
    }
    return parsed.data;
}

export function checkVersion(version: string): string {
    if (!/^v?\d+\.\d+(\.\d+)?([-.+][\w.-]+)?$/.test(version)) {
        throw new Error(
            `Schema version must look like a Stalwart release tag such as "v0.16.18"; got ${JSON.stringify(version)}.`,
        );
    }
    return version;
}

/** Where a generation's input came from: Stalwart's release tag and the sha256 of the registry schema text. */
export interface SourceId {
    version: string;
    sha256: string;
}

/** What the generator reads: the registry schema and the facts, reduced to what it uses (tools/schema/extract.ts). */
export interface SchemaSource {
    source: SourceId;
    schema: RegistrySchema;
    facts?: FactsFile;
}

const committedSource = z.object({
    about: z.string().optional(),
    source: z.object({ version: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
    schema: z.unknown(),
    facts: z.unknown().optional(),
});

/** A committed source is recognized by its `source` and `schema` keys (a registry schema has neither). */
export function isCommittedSource(input: unknown): boolean {
    return typeof input === "object" && input !== null && "source" in input && "schema" in input;
}

/** Reads a committed source (schema/stalwart/<version>.json); `where` names the file in errors. */
export function parseSource(input: unknown, where: string): SchemaSource {
    const parsed = committedSource.safeParse(input);
    if (!parsed.success) {
        throw new Error(
            `${where} is not a committed schema source (written by \`npm run generate:schema -- --extract\`):\n` +
                describeIssues(parsed.error),
        );
    }
    const { source, schema, facts } = parsed.data;
    checkVersion(source.version);
    return {
        source,
        schema: parseRegistrySchema(schema),
        ...(facts === undefined ? {} : { facts: parseFacts(facts) }),
    };
}
