// The x:* provider as the engine runs it: serialized into __provider, loaded by the SDK's dynamic-provider
// host in its own process, driven over gRPC, talking HTTP to the Stalwart simulator.
import { beforeAll, describe, expect, it, vi } from "vitest";
import { type PlainObject, ProviderHost, UNKNOWN } from "../support/providerHost";
import type { StalwartSimulator } from "../support/stalwart";
import { NO_STALWART_ENV, useStalwartProviderHost } from "../support/stalwartProviderHost";

const fixture = useStalwartProviderHost();
const noEnv = NO_STALWART_ENV;
let sim: StalwartSimulator;
let host: ProviderHost;

beforeAll(() => {
    ({ sim, host } = fixture);
});

const { provider, inputs, create, byHand, setCalls } = fixture;
const manual = { "@type": "Manual" };

describe("collection object (x:Domain)", () => {
    it("create → no-op diff → update → drift via read → delete: two requests to create (the look-up by name, then create + read-back), one for the rest", async () => {
        const c = await create("x:Domain", {
            name: "Example.TEST",
            dkimManagement: manual,
            aliases: ["mx.example.test"],
        });
        expect(c.requests).toBe(2);
        expect(c.outs).toMatchObject({
            objectType: "x:Domain",
            objectId: c.id,
            adopted: false,
            changedProperties: ["aliases", "dkimManagement", "name"],
        });
        expect((c.outs.properties as PlainObject).name).toBe("example.test");
        expect(sim.stored("x:Domain", c.id)).toMatchObject({
            name: "example.test",
            aliases: { "mx.example.test": true },
        });
        expect(await host.diff(c.id, c.outs, c.news)).toMatchObject({ changes: "none", replaces: [] });

        const news = await inputs("x:Domain", {
            name: "example.test",
            dkimManagement: manual,
            aliases: ["mx.example.test"],
            description: "primary",
        });
        expect(await host.diff(c.id, c.outs, news)).toMatchObject({ changes: "some", replaces: [] });
        sim.resetCounters();
        const updated = await host.update(c.id, c.outs, news);
        expect(sim.counters.requests).toBe(1);
        expect(updated.properties).toMatchObject({
            changedProperties: ["description"],
            properties: { description: "primary" },
        });
        expect(updated.properties.contentHash).not.toBe(c.outs.contentHash);

        await byHand([["x:Domain/set", { update: { [c.id]: { description: "edited by hand" } } }, "0"]]);
        sim.resetCounters();
        const read = await host.read(c.id, updated.properties);
        expect(sim.counters.requests).toBe(1);
        expect(read.properties).toMatchObject({ properties: { description: "edited by hand" } });
        expect(read.inputs?.properties).toEqual({
            name: "example.test",
            dkimManagement: manual,
            aliases: { "mx.example.test": true },
            description: "edited by hand",
        });
        expect(await host.diff(c.id, read.properties, news)).toMatchObject({ changes: "some" });
        const healed = await host.update(c.id, read.properties, news);
        expect(sim.stored("x:Domain", c.id)?.description).toBe("primary");

        sim.resetCounters();
        await host.delete(c.id, healed.properties);
        expect(sim.counters.requests).toBe(1);
        expect(sim.stored("x:Domain", c.id)).toBeUndefined();
        expect((await host.read(c.id, healed.properties)).id).toBe("");
    });

    it("check reports each failure on its property path; preview unknowns never fail", async () => {
        const r = await host.check(
            {},
            {
                objectType: "x:Domain",
                properties: { nmae: "a.test", createdAt: "x" },
                __provider: await provider("x:Domain"),
            },
        );
        expect(r.failures).toEqual(
            expect.arrayContaining([
                { property: "properties.nmae", reason: 'unknown property (did you mean "name"?)' },
                { property: "properties.createdAt", reason: "is set by the server and cannot be written" },
                { property: "properties.name", reason: "is required" },
            ]),
        );
        const preview = await inputs("x:Domain", { name: UNKNOWN, aliases: [UNKNOWN] });
        expect((await host.diff("b", { objectType: "x:Domain", properties: {}, managed: {} }, preview)).changes).toBe(
            "some",
        );
    });
});

describe("singleton (x:Authentication)", () => {
    it("create updates only the given properties, reading them first; directoryId stays; delete puts back what they were", async () => {
        await byHand([["x:Authentication/set", { update: { singleton: { passwordMinLength: 10 } } }, "0"]]);
        const issuer = "https://idp.example.test";
        sim.setReachableIdp(issuer, true);
        const dir = await create("x:Directory", { "@type": "Oidc", description: "idp", issuerUrl: issuer });
        const c = await create("x:Authentication", { directoryId: dir.id, passwordMaxLength: 64 });
        expect(c.requests).toBe(1);
        expect(c.id).toBe("singleton");
        expect(c.outs).toMatchObject({ adopted: true, restore: { directoryId: null, passwordMaxLength: 128 } });
        expect(sim.counters.byMethod["x:Authentication/set"]).toBe(1);
        expect(sim.stored("x:Authentication", "singleton")).toMatchObject({
            directoryId: dir.id,
            passwordMinLength: 10,
            passwordMaxLength: 64,
        });

        const news = await inputs("x:Authentication", { directoryId: dir.id, passwordMaxLength: 100 });
        const updated = await host.update("singleton", c.outs, news);
        expect(updated.properties.changedProperties).toEqual(["passwordMaxLength"]);
        expect(sim.stored("x:Authentication", "singleton")).toMatchObject({
            directoryId: dir.id,
            passwordMinLength: 10,
            passwordMaxLength: 100,
        });

        sim.resetCounters();
        await host.delete("singleton", updated.properties);
        expect(sim.counters.requests).toBe(2); // read, then write back what differs
        expect(sim.counters.byMethod["x:Authentication/set"]).toBe(1);
        expect(sim.stored("x:Authentication", "singleton")).toMatchObject({
            directoryId: null,
            passwordMinLength: 10,
            passwordMaxLength: 128,
        });
        sim.resetCounters();
        await host.delete("singleton", updated.properties);
        expect(sim.counters.jmapWrites, "a second delete finds nothing to put back").toBe(0);
    });
});

describe("variants and replacement", () => {
    it("x:Tracer @type change → replace; the new object is created, the old one deleted", async () => {
        const old = await create("x:Tracer", { "@type": "Stdout", level: "info" });
        const news = await inputs("x:Tracer", { "@type": "Log", path: "/var/log/stalwart", level: "info" });
        expect(await host.diff(old.id, old.outs, news)).toMatchObject({
            changes: "some",
            replaces: ["properties"],
            deleteBeforeReplace: false,
        });
        const replacement = await host.create(news);
        await host.delete(old.id, old.outs);
        expect(Object.keys(sim.stored("x:Tracer"))).toEqual([replacement.id]);
        expect(sim.stored("x:Tracer", replacement.id)).toMatchObject({ "@type": "Log", path: "/var/log/stalwart" });
    });

    it("x:BlobStore (singleton) @type change → an update writing the whole new variant, never a replace; delete gives the first variant back", async () => {
        const c = await create("x:BlobStore", { "@type": "Default" });
        const news = await inputs("x:BlobStore", {
            "@type": "S3",
            bucket: "mail",
            region: { "@type": "Custom", customEndpoint: "http://s3.test:3900", customRegion: "garage" },
            secretKey: { "@type": "Value", secret: "s3-key-one" },
        });
        expect(await host.diff(c.id, c.outs, news)).toMatchObject({ changes: "some", replaces: [] });
        const s3 = await host.update("singleton", c.outs, news);
        expect(setCalls().at(-1)![1].update).toEqual({ singleton: news.properties });
        expect(sim.stored("x:BlobStore", "singleton")).toMatchObject({
            "@type": "S3",
            bucket: "mail",
            secretKey: { "@type": "Value", secret: "s3-key-one" },
        });
        expect(s3.properties).toMatchObject({ adopted: true, restore: c.outs.restore });
        const { __provider: _code, ...outputs } = s3.properties;
        expect(JSON.stringify(outputs)).not.toContain("s3-key-one");

        // Another property changes: the secret object is not rewritten, so the mask never reaches the server.
        const bucket = await inputs("x:BlobStore", { ...(news.properties as PlainObject), bucket: "mail2" });
        const updated = await host.update("singleton", s3.properties, bucket);
        expect(updated.properties.changedProperties).toEqual(["bucket"]);
        expect(sim.stored("x:BlobStore", "singleton")).toMatchObject({
            bucket: "mail2",
            secretKey: { secret: "s3-key-one" },
        });
        expect(await host.diff("singleton", updated.properties, bucket)).toMatchObject({ changes: "none" });
        await host.delete("singleton", updated.properties);
        expect(sim.stored("x:BlobStore", "singleton")?.["@type"]).toBe((c.outs.restore as PlainObject)["@type"]);
    });

    it("x:NetworkListener name (immutable) → replace; x:Account @type → replace with deleteBeforeReplace", async () => {
        const l = await create("x:NetworkListener", { name: "submission", bind: ["[::]:587"], protocol: "smtp" });
        const renamed = await inputs("x:NetworkListener", {
            name: "submission2",
            bind: ["[::]:587"],
            protocol: "smtp",
        });
        expect(await host.diff(l.id, l.outs, renamed)).toMatchObject({
            replaces: ["properties"],
            deleteBeforeReplace: false,
        });
        const d = await create("x:Domain", { name: "accounts.test", dkimManagement: manual });
        const a = await create("x:Account", { "@type": "User", name: "alice", domainId: d.id });
        const group = await inputs("x:Account", { "@type": "Group", name: "alice", domainId: d.id });
        expect(await host.diff(a.id, a.outs, group)).toMatchObject({
            replaces: ["properties"],
            deleteBeforeReplace: true,
        });
        await host.delete(a.id, a.outs);
        const g = await host.create(group);
        expect(sim.stored("x:Account", g.id)).toMatchObject({ "@type": "Group", name: "alice" });
    });
});

describe("secrets (x:OAuthClient)", () => {
    it("hash diff; never in outputs; never '****' written back", async () => {
        const c = await create("x:OAuthClient", {
            clientId: "webmail",
            secret: "first-secret",
            redirectUris: ["https://mail.example.test/cb"],
        });
        expect(JSON.stringify(c.outs)).not.toContain("first-secret");
        expect(c.outs.secretHashes).toEqual({ secret: expect.stringMatching(/^[0-9a-f]{64}$/) });
        const storedSecret = sim.stored("x:OAuthClient", c.id)?.secret;
        expect(await host.diff(c.id, c.outs, c.news)).toMatchObject({ changes: "none" });

        const described = await inputs("x:OAuthClient", {
            clientId: "webmail",
            secret: "first-secret",
            redirectUris: ["https://mail.example.test/cb"],
            description: "webmail",
        });
        const u1 = await host.update(c.id, c.outs, described);
        expect(u1.properties.changedProperties).toEqual(["description"]);
        expect(sim.stored("x:OAuthClient", c.id)?.secret).toBe(storedSecret);

        const rotated = await inputs("x:OAuthClient", {
            ...(described.properties as PlainObject),
            secret: "second-secret",
        });
        expect(await host.diff(c.id, u1.properties, rotated)).toMatchObject({ changes: "some", replaces: [] });
        const u2 = await host.update(c.id, u1.properties, rotated);
        expect(u2.properties.changedProperties).toEqual(["secret"]);
        const after = sim.stored("x:OAuthClient", c.id)?.secret;
        expect(after).not.toBe(storedSecret);
        expect(after).not.toBe("****");
        expect(JSON.stringify(u2.properties)).not.toContain("second-secret");
    });
});

describe("adopt", () => {
    it("takes over an object with the same natural key, or explains the clash when adopt is false", async () => {
        const handId = await fixture.made("x:Domain", {
            name: "adopt.test",
            description: "by hand",
            dkimManagement: manual,
        });
        const refused = await inputs("x:Domain", { name: "adopt.test", description: "managed" }, { adopt: false });
        await expect(host.create(refused)).rejects.toThrow(
            /x:Domain "adopt.test": create failed with primaryKeyViolation on property name.*x:Domain id "[^"]+" already has this value/,
        );
        const c = await create("x:Domain", { name: "adopt.test", description: "managed" });
        expect(c.id).toBe(handId);
        expect(c.outs.adopted).toBe(true);
        expect(sim.stored("x:Domain", handId)?.description).toBe("managed");
    });
});

describe("SetErrors through the provider", () => {
    it("invalidForeignKey names the other object; a delete blocked by objectIsLinked keeps the object and warns naming the links", async () => {
        const missing = await inputs("x:Account", { "@type": "User", name: "bob", domainId: "zz" });
        await expect(host.create(missing)).rejects.toThrow(
            /x:Account name="bob" domainId="zz": create failed with invalidForeignKey.*refers to x:Domain id "zz"/,
        );
        const d = await create("x:Domain", { name: "linked.test", dkimManagement: manual });
        const a = await create("x:Account", { "@type": "User", name: "carol", domainId: d.id });
        await host.delete(d.id, d.outs);
        expect(sim.stored("x:Domain", d.id)).toBeDefined();
        await vi.waitFor(() => expect(host.stderr).toMatch(/was kept on the server/));
        expect(host.stderr).toMatch(
            new RegExp(
                `warning: x:Domain "linked.test" \\(id "${d.id}"\\) was kept on the server: still referenced by x:Account ${a.id}\\. Re-point or delete those`,
            ),
        );
    });

    it("a server-side rejection names the property and the server's description", async () => {
        const bad = await inputs("x:Domain", { name: "mail.example", dkimManagement: manual });
        await expect(host.create(bad)).rejects.toThrow(
            /x:Domain "mail.example": create failed with \w+ on property name/,
        );
    });
});

describe("faults", () => {
    it("a create retried after the connection dropped post-commit leaves no duplicate", async () => {
        const news = await inputs("x:Domain", { name: "dropped.test", dkimManagement: manual });
        sim.faults.dropAfterCommit(1);
        const created = await host.create(news);
        const all = Object.values(sim.stored("x:Domain")).filter((d) => d.name === "dropped.test");
        expect(all).toHaveLength(1);
        expect(created.properties.objectId).toBe(created.id);
    });

    it("503 is retried; a failed apply re-run converges", async () => {
        const news = await inputs("x:Domain", { name: "retry.test", dkimManagement: manual });
        sim.resetCounters();
        sim.faults.failNext(1, 503, "x:Domain/set");
        const created = await host.create(news);
        expect(sim.counters.requests).toBe(3); // the look-up, the create answered 503, the create
        const next = await inputs("x:Domain", { name: "retry.test", dkimManagement: manual, description: "v2" });
        sim.faults.failNext(5, 500);
        await expect(host.update(created.id, created.properties, next)).rejects.toThrow(/HTTP 500 after 5 attempt/);
        const again = await host.update(created.id, created.properties, next);
        expect(sim.stored("x:Domain", created.id)?.description).toBe("v2");
        expect(await host.diff(created.id, again.properties, next)).toMatchObject({ changes: "none" });
    });

    it("401 names the credential source, never its value", async () => {
        const other = await ProviderHost.start({
            env: { ...noEnv, STALWART_URL: sim.url, STALWART_TOKEN: "API_not-a-real-key" },
        });
        try {
            const r = await other.check(
                {},
                { objectType: "x:Domain", properties: { name: "x.test" }, __provider: await provider("x:Domain") },
            );
            const err = await other.create(r.inputs).catch((e: Error) => e);
            expect(String(err)).toMatch(/rejected the credentials from env STALWART_TOKEN \(HTTP 401\)/);
            expect(String(err)).not.toContain("not-a-real-key");
        } finally {
            await other.stop();
        }
    });
});
