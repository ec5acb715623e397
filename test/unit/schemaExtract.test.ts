// The extraction step: Stalwart's registry schema and facts → the committed source
// schema/stalwart/<version>.json, which holds what the generator reads and nothing of Stalwart's prose.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildTable } from "../../tools/schema/buildTable";
import { extract, formatSource, reduce } from "../../tools/schema/extract";
import { generate } from "../../tools/schema/generate";
import { parseFacts, parseRegistrySchema, parseSource } from "../../tools/schema/input";
import { printJson } from "../../tools/schema/json";
import { newestSource, SOURCE_DIR } from "../../tools/schema/sources";
import {
    committedSource,
    committedSourceText,
    SCHEMA_SHA256,
    SCHEMA_VERSION,
    UPSTREAM_FACTS,
    UPSTREAM_SCHEMA,
    upstreamPresent,
} from "./stalwartSchemaSources";

const scratch = mkdtempSync(join(tmpdir(), "schema-extract-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every string stored under a key named `description` or `label` (Stalwart's prose and UI text). */
function proseEntries(value: unknown, path = ""): string[] {
    if (Array.isArray(value)) return value.flatMap((item, i) => proseEntries(item, `${path}[${i}]`));
    if (typeof value !== "object" || value === null) return [];
    return Object.entries(value).flatMap(([key, inner]) =>
        (key === "description" || key === "label") && typeof inner === "string"
            ? [`${path}.${key}`]
            : proseEntries(inner, `${path}.${key}`),
    );
}

/** A registry schema with one object, what it reaches, and what it does not. */
const sample = {
    objects: {
        "x:Thing": { type: "object", description: "A thing the server keeps, described at length for the UI." },
        "x:Thing/Owners": { type: "view", objectName: "x:Owner" },
        "x:Thing/Unused": { type: "view", objectName: "x:Owner" },
        "x:Owner": { type: "object" },
        Mailbox: { type: "object" },
    },
    schemas: {
        "x:Thing": { type: "single", schemaName: "x:Thing" },
        "x:Owner": { type: "single", schemaName: "x:Owner" },
        "x:Shape": { type: "multiple", variants: [{ name: "Round", schemaName: "x:Round" }, { name: "None" }] },
        "x:Round": { type: "single", schemaName: "x:Round" },
        "x:Orphan": { type: "single", schemaName: "x:Orphan" },
    },
    fields: {
        "x:Thing": {
            properties: {
                ownerId: {
                    type: { type: "objectId", objectName: "x:Thing/Owners" },
                    update: "mutable",
                    description: "Who owns the thing.",
                },
                shape: { type: { type: "object", objectName: "x:Shape" }, update: "mutable" },
                color: { type: { type: "enum", enumName: "Color" }, update: "immutable" },
            },
            defaults: { color: "red" },
        },
        "x:Owner": { properties: { name: { type: { type: "string" }, update: "mutable" } } },
        "x:Round": { properties: { radius: { type: { type: "number" }, update: "mutable" } } },
        "x:Orphan": { properties: { lost: { type: { type: "boolean" }, update: "mutable" } } },
    },
    enums: { Color: [{ name: "red", label: "Red colour" }, { name: "blue" }], Unused: [{ name: "x" }] },
    forms: { "x:Thing": { sections: [] } },
};
const sampleFacts = {
    objects: {
        "x:Thing": {
            handler: "generic",
            flags: [],
            kind: "object",
            methods: ["get", "set"],
            fields: {
                ownerId: { clientMustProvide: true, validatedRequired: true },
                color: { clientMustProvide: false, validatedRequired: false },
            },
            uniqueWithinType: [],
        },
        "x:Owner": { handler: "generic", flags: ["accountScoped"], fields: { name: { clientMustProvide: false } } },
    },
    embeddedSchemas: { "x:Round": { fields: { radius: { validatedRequired: true } } }, "x:Orphan": {} },
    legend: { kind: "what the object kinds mean" },
};

describe("extract()", () => {
    const reduced = extract(JSON.stringify(sample), sampleFacts, "v1.2.3");

    it("keeps what the generator's walk from the x:* objects reaches, and the views it resolves", () => {
        expect(Object.keys(reduced.schema.objects).sort()).toEqual(["x:Owner", "x:Thing", "x:Thing/Owners"]);
        expect(Object.keys(reduced.schema.schemas).sort()).toEqual(["x:Owner", "x:Round", "x:Shape", "x:Thing"]);
        expect(Object.keys(reduced.schema.fields).sort()).toEqual(["x:Owner", "x:Round", "x:Thing"]);
        expect(reduced.schema.enums).toEqual({ Color: [{ name: "red" }, { name: "blue" }] });
        expect(Object.keys(reduced.facts!.embeddedSchemas)).toEqual(["x:Round"]);
    });

    it("drops prose, UI layout and facts the generator never reads", () => {
        expect(proseEntries(reduced)).toEqual([]);
        expect(JSON.stringify(reduced)).not.toMatch(/forms|legend|methods|"kind"|Red colour/);
        expect(reduced.facts!.objects["x:Thing"]).toEqual({
            handler: "generic",
            flags: [],
            fields: { ownerId: { clientMustProvide: true, validatedRequired: true } },
            uniqueWithinType: [],
        });
        expect(reduced.facts!.objects["x:Owner"]).toEqual({ handler: "generic", flags: ["accountScoped"] });
    });

    it("changes nothing the generator makes of it", () => {
        const raw = buildTable(parseRegistrySchema(sample), parseFacts(sampleFacts), reduced.source);
        expect(buildTable(reduced.schema, reduced.facts, reduced.source)).toEqual(raw);
        expect(generate(reduced)["components/stalwart/generated/accountScoped.ts"]).toContain('    "x:Owner",\n');
    });

    it("hashes the registry schema text it was given", () => {
        expect(reduced.source.sha256).toMatch(/^[0-9a-f]{64}$/);
        expect(extract(`${JSON.stringify(sample)}\n`, sampleFacts, "v1.2.3").source.sha256).not.toBe(
            reduced.source.sha256,
        );
    });

    it("takes the facts of a committed source, and refuses one that has none", () => {
        const committed = formatSource(reduced);
        expect(extract(JSON.stringify(sample), committed, "v1.2.3")).toEqual(reduced);
        const factless = formatSource({ source: reduced.source, schema: reduced.schema });
        expect(() => extract(JSON.stringify(sample), factless, "v1.2.3")).toThrow(
            /committed source for v1\.2\.3 given as facts has none/,
        );
    });

    it("is a fixed point: reducing a reduced source changes nothing", () => {
        expect(reduce(reduced)).toEqual(reduced);
    });
});

describe("the committed source", () => {
    it("holds no description, label or other prose key, only the generator's inputs", () => {
        const value = JSON.parse(committedSourceText()) as Record<string, unknown>;
        expect(Object.keys(value)).toEqual(["about", "source", "schema", "facts"]);
        expect(proseEntries(value)).toEqual([]);
        const { schema, facts } = value as { schema: object; facts: { objects: Record<string, object> } };
        expect(Object.keys(schema)).toEqual(["enums", "fields", "objects", "schemas"]);
        expect(Object.keys(facts)).toEqual(["embeddedSchemas", "objects"]);
        const read = ["computedOnGet", "fields", "flags", "foreignKeys", "handler", "notReturnedByGet", "schemaName"];
        const moreRead = ["uniqueGlobalComposite", "uniqueWithinType", "validatedRequired", "variantSchemas"];
        for (const object of Object.values(facts.objects))
            expect(Object.keys(object).filter((k) => !read.includes(k) && !moreRead.includes(k))).toEqual([]);
        expect(committedSource().source).toEqual({ version: SCHEMA_VERSION, sha256: SCHEMA_SHA256 });
    });

    it("is written back byte for byte from what it holds, at most 120 columns a line where a line can break", () => {
        const text = committedSourceText();
        expect(formatSource(committedSource())).toBe(text);
        const long = text
            .split("\n")
            .filter(
                (line) =>
                    line.length > 120 && !/^\s*("[^"]*": )?("[^"]*"|[\d.]+),?$/.test(line) && !line.includes('"about"'),
            );
        expect(long.slice(0, 3)).toEqual([]);
    });

    it("re-extracts to itself from its own schema and facts (only the schema text's hash differs)", () => {
        const source = committedSource();
        const again = extract(JSON.stringify(source.schema), committedSourceText(), SCHEMA_VERSION);
        expect({ ...again, source: source.source }).toEqual(source);
    });

    it.skipIf(!upstreamPresent)(
        "is what extracting Stalwart's v0.16.18 schema and facts makes, byte for byte, with none of their descriptions " +
            "(skipped where Stalwart's files are not beside the checkout; set STALWART_UPSTREAM_DIR to run it)",
        () => {
            const schemaText = readFileSync(UPSTREAM_SCHEMA, "utf8");
            const factsText = readFileSync(UPSTREAM_FACTS, "utf8");
            const extracted = extract(schemaText, factsText, SCHEMA_VERSION);
            expect(formatSource(extracted)).toBe(committedSourceText());

            const raw = buildTable(
                parseRegistrySchema(JSON.parse(schemaText)),
                parseFacts(JSON.parse(factsText)),
                extracted.source,
            );
            expect(buildTable(extracted.schema, extracted.facts, extracted.source)).toEqual(raw);

            const upstream = JSON.parse(schemaText) as {
                objects: Record<string, { description?: string }>;
                fields: Record<string, { properties: Record<string, { description?: string }> }>;
            };
            const descriptions = [
                ...Object.values(upstream.objects).map((o) => o.description),
                ...Object.values(upstream.fields).flatMap((f) => Object.values(f.properties).map((p) => p.description)),
            ].filter((d): d is string => typeof d === "string" && d.length >= 25);
            expect(descriptions.length).toBeGreaterThan(1000);
            const outputs = { "the committed source": committedSourceText(), ...generate(extracted) };
            for (const [where, content] of Object.entries(outputs)) {
                expect(
                    descriptions.filter((d) => content.includes(d)),
                    where,
                ).toEqual([]);
            }
        },
    );
});

describe("reading committed sources", () => {
    it("names the file and the command that writes one when a source is malformed", () => {
        expect(() =>
            parseSource(
                { source: { version: "v0.16.18", sha256: "abc" }, schema: {} },
                "schema/stalwart/v0.16.18.json",
            ),
        ).toThrow(
            /schema\/stalwart\/v0\.16\.18\.json is not a committed schema source \(written by `npm run generate:schema -- --extract`\)/,
        );
    });

    it("picks the newest release in schema/stalwart/, comparing versions as numbers", () => {
        const root = join(scratch, "newest");
        mkdirSync(join(root, SOURCE_DIR), { recursive: true });
        for (const file of ["v0.9.1.json", "v0.16.2.json", "v0.16.18.json", "notes.md"])
            writeFileSync(join(root, SOURCE_DIR, file), "{}");
        expect(newestSource(root)).toBe(join(root, SOURCE_DIR, "v0.16.18.json"));
        expect(() => newestSource(join(scratch, "empty"))).toThrow(
            /No committed schema source in schema\/stalwart\/.*--extract --schema/,
        );
    });
});

describe("printJson", () => {
    it("keeps what fits on one line and breaks the rest one entry per line", () => {
        const value = { short: [1, 2], long: ["a".repeat(30), "b".repeat(30)], nested: { empty: {}, none: [] } };
        const text = printJson(value, 40);
        expect(text).toBe(
            `{\n  "short": [1,2],\n  "long": [\n    "${"a".repeat(30)}",\n    "${"b".repeat(30)}"\n  ],\n  "nested": {"empty":{},"none":[]}\n}`,
        );
        expect(JSON.parse(text)).toEqual(value);
    });
});
