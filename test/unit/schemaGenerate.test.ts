import { beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_SCOPED } from "../../components/stalwart/generated/accountScoped";
import { isVariantSchema, type SchemaTable, type SingleSchema } from "../../components/stalwart/schema/types";
import { accountScopedObjects } from "../../tools/schema/accountScope";
import { EXCLUDED_OBJECTS } from "../../tools/schema/exclusions";
import { extract } from "../../tools/schema/extract";
import { GENERATED_DIR, generate } from "../../tools/schema/generate";
import type { SchemaSource } from "../../tools/schema/input";
import { durationToMs } from "../../tools/schema/wireDefaults";
import { committedSource, SCHEMA_SHA256, SCHEMA_VERSION } from "./stalwartSchemaSources";

const tableOf = (files: Record<string, string>): SchemaTable => JSON.parse(files[`${GENERATED_DIR}/table.json`]!);
const fieldsOf = (table: SchemaTable, schema: string) => {
    const descriptor = table.schemas[schema];
    if (!descriptor || isVariantSchema(descriptor)) throw new Error(`${schema} is not a single schema in the table`);
    return (descriptor as SingleSchema).fields;
};
const withoutFacts = (source: SchemaSource): SchemaSource => ({ source: source.source, schema: source.schema });

describe("generate() on the committed Stalwart v0.16.18 source", () => {
    let source: SchemaSource;
    let files: Record<string, string>;
    let table: SchemaTable;

    beforeAll(() => {
        source = committedSource();
        files = generate(source);
        table = tableOf(files);
    });

    it("emits the six generated files, deterministically", () => {
        expect(Object.keys(files).sort()).toEqual(
            ["accountScoped.ts", "classes.ts", "excluded.ts", "index.ts", "table.json", "types.ts"].map(
                (f) => `${GENERATED_DIR}/${f}`,
            ),
        );
        expect(generate(committedSource())).toEqual(files);
        expect(files[`${GENERATED_DIR}/table.json`]).not.toMatch(/\n./);
    });

    it("covers the 117 x:* API objects (58 singletons), no views and no JMAP mail objects", () => {
        const objects = Object.values(table.objects);
        expect(objects).toHaveLength(117);
        expect(objects.filter((o) => o.kind === "singleton")).toHaveLength(58);
        expect(Object.keys(table.objects).filter((name) => !name.startsWith("x:") || name.includes("/"))).toEqual([]);
        expect(table.source).toEqual({ version: SCHEMA_VERSION, sha256: SCHEMA_SHA256 });
    });

    it("marks NetworkListener.name immutable, required and unique, and uses it as natural key", () => {
        expect(fieldsOf(table, "x:NetworkListener").name).toMatchObject({
            kind: "string",
            update: "immutable",
            mustProvide: true,
        });
        expect(table.objects["x:NetworkListener"]).toMatchObject({
            unique: ["name"],
            naturalKey: "name",
            kind: "collection",
        });
        expect(fieldsOf(table, "x:NetworkListener").bind).toMatchObject({
            kind: "set",
            minItems: 1,
            required: true,
            mustProvide: true,
        });
    });

    it("gives Domain.dkimManagement the Automatic variant by default", () => {
        expect(fieldsOf(table, "x:Domain").dkimManagement).toMatchObject({
            kind: "object",
            objectName: "x:DkimManagement",
        });
        expect(table.schemas["x:DkimManagement"]).toEqual({
            variants: { Automatic: "x:DkimManagementProperties", Manual: null },
            defaultVariant: "Automatic",
        });
    });

    it("lists the S3 region variants, with Custom carrying endpoint and region", () => {
        const regions = table.schemas["x:S3StoreRegion"];
        expect(regions && isVariantSchema(regions)).toBe(true);
        if (!regions || !isVariantSchema(regions)) return;
        expect(regions.defaultVariant).toBe("UsEast1");
        expect(regions.variants).toMatchObject({ EuWest1: null, UsEast1: null, Custom: "x:S3StoreCustomRegion" });
        expect(Object.keys(fieldsOf(table, "x:S3StoreCustomRegion")).sort()).toEqual([
            "customEndpoint",
            "customRegion",
        ]);
    });

    it("converts Expression and Rate defaults to wire encoding", () => {
        expect(fieldsOf(table, "x:MtaStageAuth").require?.default).toEqual({ match: {}, else: "local_port != 25" });
        expect(fieldsOf(table, "x:MtaOutboundStrategy").route?.default).toEqual({
            // a rule object has a "then" key, which lint forbids in literals (thenable confusion)
            match: { "0": JSON.parse(`{"if":"is_local_domain(rcpt_domain)","then":"'local'"}`) },
            else: "'mx'",
        });
        expect(fieldsOf(table, "x:Http").rateLimitAnonymous?.default).toEqual({ count: 100, period: 60_000 });
    });

    it("converts every default itself exactly as the facts file's defaultWire says", () => {
        const bare = tableOf(generate(withoutFacts(source)));
        let compared = 0;
        for (const [schema, descriptor] of Object.entries(table.schemas)) {
            if (isVariantSchema(descriptor)) continue;
            for (const [property, field] of Object.entries(descriptor.fields)) {
                if (field.default === undefined) continue;
                compared++;
                expect(fieldsOf(bare, schema)[property]?.default, `${schema}.${property}`).toEqual(field.default);
            }
        }
        expect(compared).toBeGreaterThan(800);
    });

    it("records foreign keys, composite natural keys and computed fields from the facts", () => {
        expect(table.objects["x:Authentication"]?.foreignKeys).toContainEqual({
            via: "directoryId",
            object: "x:Directory",
        });
        expect(fieldsOf(table, "x:Authentication").directoryId).toMatchObject({
            kind: "objectId",
            objectName: "x:Directory",
            nullable: true,
        });
        expect(table.objects["x:Account"]).toMatchObject({
            naturalKeyComposite: ["name", "domainId"],
            sequentialId: true,
        });
        expect(table.objects["x:Account"]?.naturalKey).toBeUndefined();
        expect(table.objects["x:Domain"]).toMatchObject({ naturalKey: "name", computedOnGet: ["dnsZoneFile"] });
        expect(table.objects["x:OAuthClient"]?.naturalKey).toBe("clientId");
        expect(table.objects["x:AcmeProvider"]?.notReturnedByGet).toEqual(["eabHmacKey", "eabKeyId"]);
        expect(fieldsOf(table, "x:UserAccount").memberGroupIds?.element).toEqual({
            kind: "objectId",
            objectName: "x:Account",
            view: "x:Account/Group",
        });
    });

    it("types variants as @type unions, keeps mustProvide required and drops serverSet fields", () => {
        const types = files[`${GENERATED_DIR}/types.ts`]!;
        expect(types).toContain(
            'export type AccountProperties =\n    | ({ "@type": "User" } & UserAccount)\n    | ({ "@type": "Group" } & GroupAccount);',
        );
        expect(types).toMatch(/export interface DomainProperties \{[^}]*\n {4}name: string;/);
        expect(types).not.toMatch(/export interface DomainProperties \{[^}]*dnsZoneFile/);
        expect(types).toMatch(/^\/\/ Generated by `npm run generate:schema`/);
    });

    it("writes a class for every manageable object and none for the excluded ones", () => {
        const classes = files[`${GENERATED_DIR}/classes.ts`]!;
        const declared = [...classes.matchAll(/objectType: "(x:[A-Za-z]+)"/g)].map((m) => m[1]);
        const expected = Object.keys(table.objects).filter((name) => !(name in EXCLUDED_OBJECTS));
        expect(declared.sort()).toEqual(expected.sort());
        expect(declared.length).toBe(117 - Object.keys(EXCLUDED_OBJECTS).length);
        expect(classes).toContain("export class Domain extends StalwartObject {");
        expect(classes).toContain("export class StalwartCache extends StalwartObject {");
    });

    it("derives the account-scoped objects from the facts' flag and account handlers, for the provider to read", () => {
        const derived = accountScopedObjects(source.facts);
        expect(derived).toEqual([
            "x:AccountPassword",
            "x:AccountSettings",
            "x:ApiKey",
            "x:AppPassword",
            "x:ArchivedItem",
            "x:MaskedEmail",
            "x:PublicKey",
            "x:SpamTrainingSample",
        ]);
        const list = files[`${GENERATED_DIR}/accountScoped.ts`]!;
        expect(list).toContain("export const ACCOUNT_SCOPED: readonly string[] = [\n");
        expect([...list.matchAll(/^ {4}"(x:\w+)",$/gm)].map((m) => m[1])).toEqual(derived);
        expect(ACCOUNT_SCOPED).toEqual(derived);
        expect(accountScopedObjects(undefined)).toEqual([]);
    });

    it("gives the classes of account-scoped objects an accountId option and hands it to StalwartObject", () => {
        const classes = files[`${GENERATED_DIR}/classes.ts`]!;
        const bodies: Record<string, string> = Object.fromEntries(
            [...classes.matchAll(/export class (\w+) extends StalwartObject \{\n([^}]*)\}/g)].map((m) => [
                m[1]!,
                m[2]!,
            ]),
        );
        const scoped = accountScopedObjects(source.facts).filter((o) => !(o in EXCLUDED_OBJECTS));
        expect(scoped.sort()).toEqual([
            "x:AccountSettings",
            "x:ApiKey",
            "x:AppPassword",
            "x:MaskedEmail",
            "x:PublicKey",
        ]);
        for (const object of scoped) {
            const body = bodies[object.slice(2)]!;
            expect(body, object).toContain("opts?: AccountScopedObjectOptions)");
            expect(body, object).toContain(
                `{ objectType: "${object}", properties, accountId: opts?.accountId, adopt: opts?.adopt`,
            );
        }
        expect(bodies.Domain).toContain("opts?: StalwartObjectOptions)");
        expect(bodies.Domain).not.toContain("accountId");
        expect(Object.values(bodies).filter((b) => b.includes("accountId"))).toHaveLength(scoped.length);
    });

    it("derives mustProvide as required, client-settable and without default, agreeing with the facts", () => {
        let checked = 0;
        for (const [name, object] of Object.entries(source.facts!.objects)) {
            for (const [property, field] of Object.entries(object.fields ?? {})) {
                if (!field.clientMustProvide) continue;
                checked++;
                expect(fieldsOf(table, object.schemaName ?? name)[property]?.mustProvide, `${name}.${property}`).toBe(
                    true,
                );
            }
        }
        expect(checked).toBeGreaterThan(20);
        for (const descriptor of Object.values(table.schemas)) {
            if (isVariantSchema(descriptor)) continue;
            for (const field of Object.values(descriptor.fields)) {
                if (field.mustProvide)
                    expect(field.required && field.update !== "serverSet" && field.default === undefined).toBe(true);
            }
        }
    });

    it("leaves facts-derived lists empty without a facts file", () => {
        const bare = tableOf(generate(withoutFacts(source)));
        expect(bare.objects["x:Domain"]).toMatchObject({
            unique: [],
            foreignKeys: [],
            computedOnGet: [],
            sequentialId: false,
        });
        expect(fieldsOf(bare, "x:Domain").name?.mustProvide).toBeUndefined();
        expect(Object.keys(bare.objects)).toHaveLength(117);
        expect(generate(withoutFacts(source))[`${GENERATED_DIR}/accountScoped.ts`]).toContain(
            "readonly string[] = [\n\n];",
        );
    });
});

describe("extract() and generate() input checks", () => {
    it("rejects JSON that is not a Stalwart registry schema", () => {
        expect(() => extract({ openapi: "3.0.0", paths: {} }, undefined, "v0.16.18")).toThrow(
            /not a Stalwart registry schema/,
        );
        expect(() => extract({ objects: {}, schemas: {}, fields: {}, enums: {} }, undefined, "v0.16.18")).toThrow(
            /no x:\* objects/,
        );
    });

    it("rejects text that is not JSON, naming the input", () => {
        expect(() => extract("<html>login</html>", undefined, "v0.16.18")).toThrow(
            /Stalwart registry schema is not valid JSON/,
        );
    });

    it("rejects a malformed facts file and a bad version tag", () => {
        const minimal = {
            objects: { "x:Thing": { type: "singleton" } },
            schemas: { "x:Thing": { type: "single", schemaName: "x:Thing" } },
            fields: { "x:Thing": { properties: { on: { type: { type: "boolean" }, update: "mutable" } } } },
            enums: {},
        };
        expect(Object.keys(generate(extract(minimal, undefined, "v0.16.18")))).toHaveLength(6);
        expect(() => extract(minimal, { objects: [] }, "v0.16.18")).toThrow(/not a Stalwart per-object facts file/);
        expect(() => extract(minimal, undefined, "latest")).toThrow(/release tag such as "v0.16.18"/);
    });

    it("names an unknown field type and where it occurs", () => {
        const unknownKind = {
            objects: { "x:Thing": { type: "object" } },
            schemas: { "x:Thing": { type: "single", schemaName: "x:Thing" } },
            fields: { "x:Thing": { properties: { shape: { type: { type: "polygon" }, update: "mutable" } } } },
            enums: {},
        };
        expect(() => extract(unknownKind, undefined, "v0.16.18")).toThrow(
            /x:Thing\.shape: unknown field type "polygon"/,
        );
    });

    it("converts duration strings to milliseconds and refuses unknown units", () => {
        expect(durationToMs("1m")).toBe(60_000);
        expect(durationToMs("1h")).toBe(3_600_000);
        expect(durationToMs(250)).toBe(250);
        expect(() => durationToMs("1 fortnight")).toThrow(/Cannot convert duration default/);
    });
});
