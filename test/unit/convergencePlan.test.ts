import { describe, expect, it } from "vitest";
import { planConvergence, type TrackedObject } from "../../components/stalwart/convergence/changes";
import { pathSegment } from "../../components/stalwart/convergence/run";
import { effectOf, effectsOf, NAMED_TYPES } from "../../components/stalwart/effects";
import { TABLE } from "../../components/stalwart/schema/table";

const obj = (
    objectType: string,
    objectId: string,
    properties: Record<string, unknown>,
    volatile?: string[],
): TrackedObject => ({ objectType, objectId, properties, volatile });

describe("effects of a change (docs/stalwart-facts.md#reload-restart)", () => {
    it("names only object types the schema has", () => {
        for (const t of NAMED_TYPES) expect(TABLE.objects[t], t).toBeDefined();
    });

    it("accounts, domains and OAuth clients are live; certificates, lookups, blocked IPs and apps have their own reload", () => {
        expect(effectOf("x:Domain")).toBe("live");
        expect(effectOf("x:Account")).toBe("live");
        expect(effectOf("x:OAuthClient")).toBe("live");
        expect(effectOf("x:Certificate")).toBe("ReloadTlsCertificates");
        expect(effectOf("x:StoreLookup")).toBe("ReloadLookupStores");
        expect(effectOf("x:BlockedIp")).toBe("ReloadBlockedIps");
        expect(effectOf("x:Application")).toBe("UpdateApps");
    });

    it("settings singletons, directories and tracers need ReloadSettings", () => {
        for (const t of ["x:Authentication", "x:Directory", "x:Tracer", "x:SystemSettings", "x:Http", "x:AcmeProvider"])
            expect(effectOf(t), t).toBe("ReloadSettings");
    });

    it("stores and listeners need a restart", () => {
        for (const t of ["x:NetworkListener", "x:BlobStore", "x:InMemoryStore", "x:SearchStore", "x:DataStore"])
            expect(effectOf(t), t).toBe("restart");
    });

    it("SystemSettings.proxyTrustedNetworks and maxConnections need a restart on top of the reload", () => {
        expect(effectsOf("x:SystemSettings", ["defaultHostname"])).toEqual(["ReloadSettings"]);
        expect(effectsOf("x:SystemSettings", ["proxyTrustedNetworks"])).toEqual(["ReloadSettings", "restart"]);
        expect(effectsOf("x:SystemSettings", "all")).toEqual(["ReloadSettings", "restart"]);
    });
});

describe("planConvergence", () => {
    const domain = obj("x:Domain", "b", { name: "infinidim.net" });
    const auth = obj("x:Authentication", "singleton", { directoryId: null });
    const listener = obj("x:NetworkListener", "k1", { name: "submission", bind: { "[::]:587": true } });

    it("a first apply counts every object as created and orders the reloads", () => {
        const plan = planConvergence(undefined, [domain, listener, auth]);
        expect(plan.changes.map((c) => c.what)).toEqual(["created", "created", "created"]);
        expect(plan.reloads).toEqual(["ReloadSettings"]);
        expect(plan.restartReasons).toEqual(["x:NetworkListener k1: created"]);
    });

    it("nothing changed: no reload, no restart", () => {
        const plan = planConvergence([domain, listener, auth], [domain, listener, auth]);
        expect(plan).toEqual({ changes: [], reloads: [], restartReasons: [] });
    });

    it("key order does not count as a change", () => {
        const a = obj("x:NetworkListener", "k1", { bind: { "[::]:587": true, "0.0.0.0:587": true } });
        const b = obj("x:NetworkListener", "k1", { bind: { "0.0.0.0:587": true, "[::]:587": true } });
        expect(planConvergence([a], [b]).changes).toEqual([]);
    });

    it("a changed property of a live object needs nothing", () => {
        const plan = planConvergence([domain], [obj("x:Domain", "b", { name: "infinidim.net", description: "x" })]);
        expect(plan.changes[0]).toMatchObject({ what: ["description"], effects: ["live"] });
        expect(plan.reloads).toEqual([]);
    });

    it("a changed listener needs a restart and names the property", () => {
        const plan = planConvergence(
            [listener],
            [obj("x:NetworkListener", "k1", { name: "submission", bind: { "[::]:2587": true } })],
        );
        expect(plan.restartReasons).toEqual(["x:NetworkListener k1: bind"]);
    });

    it("a destroyed object still needs its effect (a removed listener stays bound until restart)", () => {
        const plan = planConvergence([domain, listener], [domain]);
        expect(plan.changes).toEqual([
            { objectType: "x:NetworkListener", objectId: "k1", what: "destroyed", effects: ["restart"] },
        ]);
    });

    it("volatile (server-computed) properties are ignored", () => {
        const before = obj("x:Domain", "b", { name: "infinidim.net", dnsZoneFile: "a" }, ["dnsZoneFile"]);
        const after = obj("x:Domain", "b", { name: "infinidim.net", dnsZoneFile: "b" }, ["dnsZoneFile"]);
        expect(planConvergence([before], [after]).changes).toEqual([]);
    });

    it("each reload action appears once however many objects need it", () => {
        const plan = planConvergence(undefined, [
            auth,
            obj("x:Tracer", "t", {}),
            obj("x:Directory", "d", {}),
            obj("x:Certificate", "c", {}),
        ]);
        expect(plan.reloads).toEqual(["ReloadSettings", "ReloadTlsCertificates"]);
    });

    it("account-scoped objects are identified by type, account and id: the same credential id in two accounts is two objects", () => {
        const key = (accountId: string, description: string): TrackedObject => ({
            objectType: "x:ApiKey",
            objectId: "b",
            accountId,
            properties: { description },
        });
        const first = planConvergence(undefined, [key("c", "ci"), key("d", "ci")]);
        expect(first.changes.map((c) => [c.objectId, c.accountId, c.what])).toEqual([
            ["b", "c", "created"],
            ["b", "d", "created"],
        ]);
        expect(planConvergence([key("c", "ci"), key("d", "ci")], [key("c", "ci"), key("d", "ci")]).changes).toEqual([]);
        expect(planConvergence([key("c", "ci"), key("d", "ci")], [key("c", "ci"), key("d", "deploy")]).changes).toEqual(
            [{ objectType: "x:ApiKey", objectId: "b", accountId: "d", what: ["description"], effects: ["live"] }],
        );
        // moved to another account: the old one is gone, the new one is new
        const moved = planConvergence([key("c", "ci")], [key("d", "ci")]);
        expect(moved.changes.map((c) => [c.accountId, c.what])).toEqual([
            ["d", "created"],
            ["c", "destroyed"],
        ]);
    });
});

describe("pathSegment (the address in /api/discover/<address>)", () => {
    it("keeps what a path segment may hold raw and encodes only the rest", () => {
        expect(pathSegment("someone@infinidim.net")).toBe("someone@infinidim.net");
        expect(pathSegment("some+one.x=y@a.test")).toBe("some+one.x=y@a.test");
        expect(pathSegment("a b/c?d#e%f")).toBe("a%20b%2Fc%3Fd%23e%25f");
        expect(pathSegment("jörg@bücher.test")).toBe("j%C3%B6rg@b%C3%BCcher.test");
        expect(new URL(`http://h/api/discover/${pathSegment("x/../y@a.test")}`).pathname).toBe(
            "/api/discover/x%2F..%2Fy@a.test",
        );
    });
});
