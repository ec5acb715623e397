/**
 * Shape checks for the generator's two inputs: Stalwart's registry schema (GET /api/schema) and the
 * optional per-object facts file. Only the parts the generator reads are checked; anything else
 * (descriptions, forms, layouts) is ignored and never reaches the output.
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
    kind: z.enum(["object", "singleton"]),
    handler: z.string(),
    methods: z.array(z.string()),
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
    return lines.length > 12 ? `${lines.slice(0, 12).join("\n")}\n… (${lines.length - 12} more lines)` : lines.join("\n");
}

export function parseRegistrySchema(input: unknown): RegistrySchema {
    const parsed = registrySchema.safeParse(input);
    if (!parsed.success) {
        throw new Error(
            "Input is not a Stalwart registry schema (the JSON served at GET /api/schema, e.g. " +
                `../shared/stalwart/schema-v0.16.18.json):\n${describeIssues(parsed.error)}`,
        );
    }
    if (!Object.keys(parsed.data.objects).some((name) => name.startsWith("x:"))) {
        throw new Error("Input is not a Stalwart registry schema: it has no x:* objects (expected x:Domain, x:Account, …).");
    }
    return parsed.data;
}

export function parseFacts(input: unknown): FactsFile {
    const parsed = factsFile.safeParse(input);
    if (!parsed.success) {
        throw new Error(
            "Input is not a Stalwart per-object facts file (expected the shape of " +
                `../shared/stalwart/objects-v0.16.18.json):\n${describeIssues(parsed.error)}`,
        );
    }
    return parsed.data;
}
