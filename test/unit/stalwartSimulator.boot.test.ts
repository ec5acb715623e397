// The simulator as a fresh Stalwart v0.16 (docs/stalwart-facts.md#first-boot-defaults): the defaults its first normal
// boot stores, what a running server keeps acting on after a destroy until a reload or a restart,
// objectIsLinked naming what links, and faults that land a write after the client gave up.
import { afterEach, describe, expect, it } from "vitest";
import { call, create, createId, destroy } from "../support/stalwart/client";
import { FIRST_BOOT_LISTENERS, type StalwartSimulator, startStalwartSimulator } from "../support/stalwart/index";

let sim: StalwartSimulator;
afterEach(() => sim?.close());

const names = (s: StalwartSimulator, type: string) =>
    Object.values(s.stored(type))
        .map((o) => o.name ?? o.description ?? o["@type"])
        .sort();
const ports = (s: StalwartSimulator) =>
    Object.values(s.running().objects["x:NetworkListener"] ?? {})
        .flatMap((l) => Object.keys(l.bind as object))
        .map((b) => Number(b.split(":").pop()))
        .sort((a, b) => a - b);

describe("first boot", () => {
    it("stores the seven default listeners (no 587, no 143), the roles, Authentication and a Log tracer; SystemSettings stays unstored", async () => {
        sim = await startStalwartSimulator({ firstBootDefaults: true });
        expect(names(sim, "x:NetworkListener")).toEqual(FIRST_BOOT_LISTENERS.map(([n]) => n).sort());
        expect(Object.values(sim.stored("x:NetworkListener")).find((l) => l.name === "https")).toMatchObject({
            protocol: "http",
            bind: { "[::]:443": true },
            useTls: true,
            tlsImplicit: true,
            overrideProxyTrustedNetworks: {},
        });
        expect(ports(sim)).toEqual([25, 443, 465, 993, 995, 4190, 8080]);
        expect(names(sim, "x:Role")).toEqual(["Group", "System Administrator", "Tenant Administrator", "User"]);
        const roles = Object.fromEntries(Object.entries(sim.stored("x:Role")).map(([id, r]) => [r.description, id]));
        expect(sim.stored("x:Authentication", "singleton")).toMatchObject({
            defaultUserRoleIds: { [roles.User!]: true },
            defaultAdminRoleIds: { [roles["System Administrator"]!]: true, [roles.User!]: true },
        });
        expect(Object.values(sim.stored("x:Tracer"))).toEqual([
            expect.objectContaining({ "@type": "Log", path: "/var/log/stalwart", prefix: "stalwart.log" }),
        ]);
        expect(sim.stored("x:SystemSettings", "singleton")).toBeUndefined();
    });

    it("a plain start (recovery mode) stores none of them", async () => {
        sim = await startStalwartSimulator();
        expect(sim.stored("x:NetworkListener")).toEqual({});
        expect(sim.stored("x:Tracer")).toEqual({});
    });
});

describe("running versus stored", () => {
    it("a deleted listener stays bound until a restart; a deleted tracer keeps running until a reload", async () => {
        sim = await startStalwartSimulator({ firstBootDefaults: true, restartDownMs: 20 });
        const pop3s = Object.entries(sim.stored("x:NetworkListener")).find(([, l]) => l.name === "pop3s")![0];
        const tracer = Object.keys(sim.stored("x:Tracer"))[0]!;
        expect((await destroy(sim, "x:NetworkListener", pop3s)).destroyed).toEqual([pop3s]);
        expect((await destroy(sim, "x:Tracer", tracer)).destroyed).toEqual([tracer]);
        expect(ports(sim)).toContain(995);
        expect(Object.keys(sim.running().objects["x:Tracer"] ?? {})).toEqual([tracer]);
        await call(sim, "x:Action/set", { create: { r1: { "@type": "ReloadSettings" } } });
        expect(sim.running().objects["x:Tracer"], "the reload stopped the tracer").toBeUndefined();
        expect(ports(sim), "a reload does not rebind").toContain(995);
        await sim.restart();
        expect(ports(sim)).not.toContain(995);
    });

    it("a domain with automatic DKIM cannot be destroyed while its signatures or x:SystemSettings link it: objectIsLinked names them", async () => {
        sim = await startStalwartSimulator();
        const domain = await createId(sim, "x:Domain", { name: "linked.test" });
        const keys = Object.entries(sim.stored("x:DkimSignature"))
            .filter(([, k]) => k.domainId === domain)
            .map(([id]) => id);
        expect(keys).toHaveLength(2);
        await call(sim, "x:SystemSettings/set", {
            update: { singleton: { defaultHostname: "mx.linked.test", defaultDomainId: domain } },
        });
        const err = (await destroy(sim, "x:Domain", domain)).notDestroyed[domain];
        expect(err).toMatchObject({ type: "objectIsLinked", objectId: { object: "Domain", id: domain } });
        expect(err.linkedObjects).toEqual(
            expect.arrayContaining([
                ...keys.map((id) => ({ object: "DkimSignature", id })),
                { object: "SystemSettings", id: "singleton" },
            ]),
        );
    });
});

describe("writes that land after the client gave up", () => {
    it("applyLate holds a request, then applies it although its client timed out; faults can target one method", async () => {
        sim = await startStalwartSimulator();
        sim.faults.applyLate(1, 300, "x:Role/set");
        const quick = await call(sim, "x:Role/query", {});
        expect(quick.ids).toEqual([]);
        const late = fetch(`${sim.url}/jmap`, {
            method: "POST",
            headers: { authorization: sim.basicAuthHeader, "content-type": "application/json" },
            body: JSON.stringify({
                using: ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"],
                methodCalls: [["x:Role/set", { create: { r: { description: "late" } } }, "s"]],
            }),
            signal: AbortSignal.timeout(50),
        });
        await expect(late).rejects.toThrow();
        expect(Object.values(sim.stored("x:Role"))).toEqual([]);
        await new Promise((r) => setTimeout(r, 400));
        expect(Object.values(sim.stored("x:Role")).map((r) => r.description)).toEqual(["late"]);
    });

    it("failAfterCommit answers a proxy's 504 after the write landed", async () => {
        sim = await startStalwartSimulator();
        sim.faults.failAfterCommit(1, 504, "x:Role/set");
        await expect(create(sim, "x:Role", { description: "behind a proxy" })).rejects.toThrow(/HTTP 504/);
        expect(Object.values(sim.stored("x:Role")).map((r) => r.description)).toEqual(["behind a proxy"]);
    });
});
