/**
 * The extraction step: Stalwart's registry schema (a file or a live server's GET /api/schema) and
 * its per-object facts file → the committed source schema/stalwart/<version>.json. The upstream
 * files are not committed: their descriptions are Stalwart's prose. What is kept is exactly what the
 * generator reads (docs/decisions/011-schema-sources-in-repo.md): the parsers drop every other key,
 * and reduce() drops what the generator's walk from the x:* objects never reaches.
 */
import { createHash } from "node:crypto";
import type { ElementDescriptor, SchemaTable } from "../../components/stalwart/schema/types";
import { buildTable } from "./buildTable";
import { printJson, readJson } from "./json";
import {
    checkVersion,
    type FactsFile,
    isCommittedSource,
    parseFacts,
    parseRegistrySchema,
    parseSource,
    type SchemaFacts,
    type SchemaSource,
} from "./input";

/** Parse, hash and reduce. `facts` may also be a committed source, whose facts are then reused. */
export function extract(schemaInput: unknown, factsInput: unknown | undefined, version: string): SchemaSource {
    checkVersion(version);
    const { value, text } = readJson(schemaInput, "Stalwart registry schema");
    const schema = parseRegistrySchema(value);
    const sha256 = createHash("sha256").update(text).digest("hex");
    const facts = factsInput === undefined ? undefined : factsOf(readJson(factsInput, "Facts file").value);
    return reduce({ source: { version, sha256 }, schema, facts });
}

function factsOf(value: unknown): FactsFile {
    if (!isCommittedSource(value)) return parseFacts(value);
    const { facts, source } = parseSource(value, "The facts input");
    if (!facts)
        throw new Error(
            `The committed source for ${source.version} given as facts has none; pass Stalwart's objects-<version>.json.`,
        );
    return facts;
}

/** Keeps what buildTable reads: the x:* objects and views it resolves, the schemas, field sets and enums it reaches. */
export function reduce(input: SchemaSource): SchemaSource {
    const { schema, facts } = input;
    const table = buildTable(schema, facts, input.source);
    const views = viewsIn(table);
    const fieldSets = new Set<string>();
    for (const name of Object.keys(table.schemas)) {
        const entry = schema.schemas[name];
        if (entry?.type !== "multiple") fieldSets.add(entry?.schemaName ?? name);
    }
    const reduced: SchemaSource = {
        source: input.source,
        schema: {
            objects: pick(schema.objects, (name) => name in table.objects || views.has(name)),
            schemas: pick(schema.schemas, (name) => name in table.schemas),
            fields: pick(schema.fields, (name) => fieldSets.has(name)),
            enums: pick(schema.enums, (name) => name in table.enums),
        },
    };
    if (facts) {
        reduced.facts = {
            objects: Object.fromEntries(
                Object.entries(facts.objects).map(([name, object]) => [name, reduceObjectFacts(object)]),
            ),
            embeddedSchemas: Object.fromEntries(
                Object.entries(facts.embeddedSchemas)
                    .filter(([name]) => name in table.schemas)
                    .map(([name, f]) => [name, reduceSchemaFacts(f)]),
            ),
        };
    }
    return reduced;
}

const pick = <T>(record: Record<string, T>, keep: (name: string) => boolean): Record<string, T> =>
    Object.fromEntries(Object.entries(record).filter(([name]) => keep(name)));

/** UI views an objectId field points at (x:Account/Group): the generator reads their target object. */
function viewsIn(table: SchemaTable): Set<string> {
    const views = new Set<string>();
    const visit = (element: ElementDescriptor | undefined) => element?.view && views.add(element.view);
    for (const descriptor of Object.values(table.schemas)) {
        if ("variants" in descriptor) continue;
        for (const field of Object.values(descriptor.fields))
            [field, field.element, field.key, field.value].forEach(visit);
    }
    return views;
}

/** A false flag reads the same as a missing one; a field with no fact left is dropped. */
function reduceSchemaFacts<T extends SchemaFacts>(facts: T): T {
    const reduced: T = { ...facts };
    if (facts.fields) {
        const fields = Object.entries(facts.fields).flatMap(([property, f]) => {
            const kept = {
                ...(f.validatedRequired ? { validatedRequired: true } : {}),
                ...(f.clientMustProvide ? { clientMustProvide: true } : {}),
                ...(f.defaultWire !== undefined ? { defaultWire: f.defaultWire } : {}),
            };
            return Object.keys(kept).length ? [[property, kept] as const] : [];
        });
        if (fields.length) reduced.fields = Object.fromEntries(fields);
        else delete reduced.fields;
    }
    return reduced;
}

function reduceObjectFacts(object: FactsFile["objects"][string]): FactsFile["objects"][string] {
    const reduced = reduceSchemaFacts(object);
    if (object.variantSchemas) {
        reduced.variantSchemas = Object.fromEntries(
            Object.entries(object.variantSchemas).map(([name, f]) => [name, reduceSchemaFacts(f)]),
        );
    }
    return reduced;
}

/** The committed file's text: provenance first, then the sorted schema and facts, one entry per line where long. */
export function formatSource(input: SchemaSource): string {
    const { version } = input.source;
    const about =
        `Stalwart ${version}'s registry schema (GET /api/schema) and per-object facts, reduced by ` +
        "`npm run generate:schema -- --extract` to what tools/schema reads: names, types, enums, defaults, update modes, " +
        "required fields, keys, variants; no descriptions (docs/decisions/011-schema-sources-in-repo.md).";
    return `${printJson({ about, source: input.source, schema: sortKeys(input.schema), facts: sortKeys(input.facts) })}\n`;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Keys sorted at every level, except inside default values (`defaults.<property>`, `defaultWire`):
 * their key order reaches the generated doc comments, so it stays as Stalwart wrote it.
 */
function sortKeys(value: unknown, parentKey?: string): unknown {
    if (Array.isArray(value)) return value.map((item) => sortKeys(item));
    if (!isRecord(value)) return value;
    return Object.fromEntries(
        Object.keys(value)
            .sort()
            .map((key) => [
                key,
                parentKey === "defaults" || key === "defaultWire" ? value[key] : sortKeys(value[key], key),
            ]),
    );
}
