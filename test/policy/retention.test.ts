// The data rule (policy/rules/retention.ts) and how the pack reads the stack (policy/rules/stack.ts).
import { describe, expect, it } from "vitest";
import type { ResourceView } from "../../policy/rules/resource";
import {
    DEFAULT_PROTECTED_STACKS,
    dataKindOf,
    type RetentionContext,
    retentionViolations,
} from "../../policy/rules/retention";
import { stackFactsFrom } from "../../policy/rules/stack";

const volume = (name: string, props: Record<string, unknown> = {}): ResourceView => ({
    type: "docker:index/volume:Volume",
    name: `mx-stalwart-${name}`,
    props: { name, ...props },
});
const database: ResourceView = {
    type: "postgresql:index/database:Database",
    name: "mx-postgres-database",
    props: { name: "stalwart", owner: "stalwart" },
};
const bucket: ResourceView = {
    type: "pulumi-nodejs:dynamic/garage:BucketGrant",
    name: "mx-garage",
    props: { bucket: "stalwart-mail", keyName: "stalwart" },
};
const ctx = (over: Partial<RetentionContext> = {}): RetentionContext => ({
    stack: "prod",
    allowDataLoss: false,
    dataVolume: "stalwart-data",
    protectedStacks: DEFAULT_PROTECTED_STACKS,
    ...over,
});

describe("data-retained", () => {
    it("knows the three data resources: the mail volume by its configured name, the database, the bucket", () => {
        expect(
            [volume("stalwart-data"), volume("stalwart-config"), database, bucket].map((r) =>
                dataKindOf(r, "stalwart-data"),
            ),
        ).toEqual(["mail volume", undefined, "database", "bucket"]);
        expect(dataKindOf(volume("mail"), "mail")).toBe("mail volume");
    });

    it("passes them on a stack that keeps its data, and on an unprotected stack that allows data loss", () => {
        for (const r of [volume("stalwart-data"), database, bucket]) {
            expect(retentionViolations(r, ctx())).toEqual([]);
            expect(retentionViolations(r, ctx({ stack: "dev", allowDataLoss: true }))).toEqual([]);
            // protect keeps the data whatever allowDataLoss says
            expect(retentionViolations({ ...r, opts: { protect: true } }, ctx({ allowDataLoss: true }))).toEqual([]);
        }
    });

    it("fails each of them when a protected stack allows data loss, naming the way out", () => {
        const found = [volume("stalwart-data"), database, bucket].flatMap((r) =>
            retentionViolations(r, ctx({ allowDataLoss: true })),
        );
        expect(found).toHaveLength(3);
        expect(found[0]).toMatch(
            /^mail volume mx-stalwart-stalwart-data would be deleted by `pulumi destroy`: stack prod sets tailwart:allowDataLoss.*protectedStacks/,
        );
        expect(found[1]).toMatch(/^database mx-postgres-database/);
        expect(found[2]).toMatch(/^bucket mx-garage/);
        // the pack's config decides which stacks are protected
        expect(retentionViolations(database, ctx({ allowDataLoss: true, protectedStacks: [] }))).toEqual([]);
        expect(
            retentionViolations(database, ctx({ stack: "dev", allowDataLoss: true, protectedStacks: ["dev"] })),
        ).toHaveLength(1);
    });

    it("fails a mail volume that lives in memory whatever the stack allows", () => {
        const tmpfs = volume("stalwart-data", { driverOpts: { type: "tmpfs", device: "tmpfs" } });
        expect(retentionViolations(tmpfs, ctx({ stack: "dev", allowDataLoss: true }))).toEqual([
            expect.stringMatching(/is a tmpfs volume: the mail is lost on every host restart/),
        ]);
        expect(retentionViolations(volume("stalwart-config", { driverOpts: { type: "tmpfs" } }), ctx())).toEqual([]);
    });
});

describe("stack facts from the engine's environment", () => {
    it("reads allowDataLoss, the data volume and the management port from PULUMI_CONFIG, the stack from PULUMI_STACK", () => {
        const env = {
            PULUMI_STACK: "prod",
            PULUMI_CONFIG: JSON.stringify({
                "tailwart:allowDataLoss": "true",
                "tailwart:mailbox": JSON.stringify({ dockerHost: "ssh://x", dataVolume: "mail-data" }),
                "tailwart:stalwart": JSON.stringify({
                    image: "stalwartlabs/stalwart:v0.16.18",
                    managementUrl: "http://ts-stalwart.tail7b1641.ts.net:9090",
                }),
                "tailwart:postgres": JSON.stringify({ adminPassword: "never-read" }),
            }),
        };
        expect(stackFactsFrom(env)).toEqual({
            stack: "prod",
            allowDataLoss: true,
            dataVolume: "mail-data",
            managementPorts: [8080, 9090],
        });
    });

    it("falls back to the program's defaults without config or engine", () => {
        expect(stackFactsFrom({})).toEqual({
            stack: "",
            allowDataLoss: false,
            dataVolume: "stalwart-data",
            managementPorts: [8080],
        });
        expect(
            stackFactsFrom({
                PULUMI_NODEJS_STACK: "dev",
                PULUMI_CONFIG: JSON.stringify({ "tailwart:allowDataLoss": "false" }),
            }),
        ).toMatchObject({ stack: "dev", allowDataLoss: false });
        expect(stackFactsFrom({ PULUMI_CONFIG: "{not json" }).allowDataLoss).toBe(false);
    });
});
