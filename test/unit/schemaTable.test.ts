import { describe, expect, it } from "vitest";
import { references } from "../../components/stalwart/schema/references";
import { closeMatches, objectDescriptor, subsetFor, TABLE } from "../../components/stalwart/schema/table";
import { isVariantSchema, type SchemaTable } from "../../components/stalwart/schema/types";

const subsetSize = (objectType: string) => JSON.stringify(subsetFor(objectType)).length;

describe("TABLE and objectDescriptor", () => {
    it("loads the generated table", () => {
        expect(TABLE.source.version).toMatch(/^v\d+\.\d+\.\d+$/);
        expect(Object.keys(TABLE.objects).length).toBeGreaterThan(100);
        expect(objectDescriptor("x:Domain")).toMatchObject({
            name: "x:Domain",
            kind: "collection",
            naturalKey: "name",
        });
    });

    it("names close matches for an unknown type", () => {
        expect(() => objectDescriptor("x:Domian")).toThrow(
            /Unknown Stalwart object type "x:Domian".*Did you mean "x:Domain"/,
        );
        expect(() => objectDescriptor("NetworkListener")).toThrow(/Did you mean "x:NetworkListener"/);
        expect(() => objectDescriptor("x:Zzzzzzzzzz")).toThrow(
            /full list is in components\/stalwart\/generated\/table.json/,
        );
        expect(closeMatches("x:oauthclient", Object.keys(TABLE.objects))).toEqual(["x:OAuthClient"]);
    });
});

describe("subsetFor", () => {
    it("is closed: every schema and enum a subset references is in it", () => {
        for (const objectType of Object.keys(TABLE.objects)) {
            const subset = subsetFor(objectType);
            expect(subset.schemas[subset.object.schema], objectType).toBeDefined();
            for (const descriptor of Object.values(subset.schemas)) {
                for (const ref of references(descriptor)) {
                    const pool = ref.enum ? subset.enums : subset.schemas;
                    expect(pool[ref.name], `${objectType} → ${ref.name}`).toBeDefined();
                }
            }
        }
    });

    it("holds only what the object reaches", () => {
        const domain = subsetFor("x:Domain");
        expect(Object.keys(domain.schemas)).toContain("x:DkimManagement");
        expect(domain.schemas["x:NetworkListener"]).toBeUndefined();
        expect(domain.enums["Permission"]).toBeUndefined();
        expect(domain.source).toEqual(TABLE.source);
        expect(subsetSize("x:Domain")).toBeLessThan(16_000);
        expect(subsetSize("x:NetworkListener")).toBeLessThan(8_000);
    });

    it("follows variant targets and reports a schema the table lacks", () => {
        const account = subsetFor("x:Account");
        const root = account.schemas["x:Account"];
        expect(root && isVariantSchema(root) && root.defaultVariant).toBe("User");
        expect(account.schemas["x:UserAccount"]).toBeDefined();
        const broken: SchemaTable = {
            ...TABLE,
            schemas: {
                ...TABLE.schemas,
                "x:Domain": {
                    fields: { dkim: { kind: "object", objectName: "x:Gone", nullable: false, update: "mutable" } },
                },
            },
        };
        expect(() => subsetFor("x:Domain", broken)).toThrow(/references schema x:Gone but does not define it/);
    });
});
