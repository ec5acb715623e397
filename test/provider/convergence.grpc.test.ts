// StalwartConvergence's provider, serialized and run by the SDK's dynamic-provider host over gRPC,
// against the Stalwart simulator: reloads once per change, restarts through the given command,
// waits for /healthz/live, verifies, and treats a failing reload as a readiness gate.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TrackedObject } from "../../components/stalwart/convergence/changes";
import { convergenceProvider } from "../../components/stalwart/convergence/provider";
import { type PlainObject, ProviderHost, ProviderHostError, serializeProvider, UNKNOWN } from "../support/providerHost";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart";

const TYPE = "pulumi-nodejs:dynamic/stalwart:Convergence";
const ISSUER = "https://id.infinidim.net";
const FAST = { attempts: 3, baseDelayMs: 50, liveTimeoutMs: 10_000 };

let sim: StalwartSimulator;
let host: ProviderHost;
let providerText: string;
let restartHook: Server;
let restartUrl: string;
let restarts = 0;

async function jmap(calls: unknown[]): Promise<any[]> {
    const r = await fetch(`${sim.url}/jmap`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: sim.basicAuthHeader },
        body: JSON.stringify({ using: ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"], methodCalls: calls }),
    });
    return ((await r.json()) as any).methodResponses;
}

async function create(objectType: string, props: PlainObject): Promise<TrackedObject> {
    const [[, set], [, got]] = await jmap([
        [`${objectType}/set`, { create: { c: props } }, "s"],
        [`${objectType}/get`, { ids: ["#c"] }, "g"],
    ]);
    expect(set.notCreated, JSON.stringify(set.notCreated)).toBeUndefined();
    const { id, ...properties } = got.list[0];
    return { objectType, objectId: id, properties };
}

async function read(objectType: string, id: string): Promise<TrackedObject> {
    const [[, got]] = await jmap([[`${objectType}/get`, { ids: [id] }, "g"]]);
    const { id: _id, ...properties } = got.list[0];
    return { objectType, objectId: id, properties };
}

async function update(objectType: string, id: string, patch: PlainObject): Promise<TrackedObject> {
    const [[, set]] = await jmap([[`${objectType}/set`, { update: { [id]: patch } }, "u"]]);
    expect(set.notUpdated, JSON.stringify(set.notUpdated)).toBeUndefined();
    return read(objectType, id);
}

const restartCommand = () => [process.execPath, "-e", `fetch(${JSON.stringify(restartUrl)}).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(2))`];
const inputs = (objects: TrackedObject[], extra: PlainObject = {}): PlainObject => ({ objects, readiness: FAST, __provider: providerText, ...extra });

beforeAll(async () => {
    sim = await startStalwartSimulator({ restartDownMs: 300 });
    restartHook = createServer((_req, res) => {
        restarts++;
        sim.restart().then(() => res.end("ok"), () => res.writeHead(500).end());
    });
    await new Promise<void>((r) => restartHook.listen(0, "127.0.0.1", r));
    restartUrl = `http://127.0.0.1:${(restartHook.address() as any).port}/`;
    providerText = await serializeProvider(convergenceProvider());
    const [user, password] = sim.adminCredentials.split(":");
    host = await ProviderHost.start({ env: { STALWART_URL: sim.url, STALWART_USER: user, STALWART_PASSWORD: password, STALWART_TOKEN: undefined } });
    console.log(`convergence __provider: ${providerText.length} B`);
});

afterAll(async () => {
    await host?.stop();
    await sim?.close();
    await new Promise((r) => restartHook?.close(r));
});

beforeEach(() => {
    restarts = 0;
});

describe("StalwartConvergence", () => {
    it("first apply: one ReloadSettings, one restart for the listener, then everything verified", async () => {
        const domain = await create("x:Domain", { name: "converge.test", dkimManagement: { "@type": "Manual" } });
        const tracer = await create("x:Tracer", { "@type": "Stdout", level: "info" });
        const listener = await create("x:NetworkListener", { name: "submission", bind: { "[::]:587": true }, protocol: "smtp" });
        const bootsBefore = sim.running().boots;
        sim.resetCounters();
        const { properties: outs } = await host.create(inputs([domain, tracer, listener], { restartCommand: restartCommand() }), { type: TYPE });
        expect(outs.reloads).toEqual(["ReloadSettings"]);
        expect(outs.restarted).toBe(true);
        expect(outs.pendingRestart).toEqual([]);
        expect(outs.verified).toBe(3);
        expect(restarts).toBe(1);
        expect(sim.running().boots).toBe(bootsBefore + 1);
        expect(sim.counters.byMethod["x:Action/set"]).toBe(1);

        // a second up with nothing changed: no diff, so no reload and no restart
        const diff = await host.diff("convergence", outs, inputs([domain, tracer, listener], { restartCommand: restartCommand() }), { type: TYPE });
        expect(diff.changes).toBe("none");
        // while an input is still unknown (preview), the step is assumed to run
        const previewDiff = await host.diff("convergence", outs, inputs([domain, { ...tracer, objectId: UNKNOWN }]), { type: TYPE });
        expect(previewDiff.changes).toBe("some");
    });

    it("a changed tracer reloads once and does not restart; a live domain change needs neither", async () => {
        const domain = await create("x:Domain", { name: "live.test", dkimManagement: { "@type": "Manual" } });
        const tracer = await create("x:Tracer", { "@type": "Stdout", level: "info" });
        const { properties: first } = await host.create(inputs([domain, tracer]), { type: TYPE });
        const louder = await update("x:Tracer", tracer.objectId, { level: "debug" });
        const described = await update("x:Domain", domain.objectId, { description: "now described" });
        expect((await host.diff("convergence", first, inputs([described, louder]), { type: TYPE })).changes).toBe("some");
        sim.resetCounters();
        const { properties: second } = await host.update("convergence", first, inputs([described, louder]), { type: TYPE });
        expect(second.reloads).toEqual(["ReloadSettings"]);
        expect(second.restarted).toBe(false);
        expect(sim.counters.byMethod["x:Action/set"]).toBe(1);
        expect(restarts).toBe(0);

        const { properties: third } = await host.update("convergence", second, inputs([await update("x:Domain", domain.objectId, { description: "again" }), louder]), { type: TYPE });
        expect(third.reloads).toEqual([]);
    });

    it("without a restart command, a restart-needing change is reported as pending and stays owed", async () => {
        const listener = await create("x:NetworkListener", { name: "imap", bind: { "[::]:143": true }, protocol: "imap" });
        const { properties: outs } = await host.create(inputs([listener]), { type: TYPE });
        expect(outs.restarted).toBe(false);
        expect(outs.pendingRestart).toEqual([`x:NetworkListener ${listener.objectId}: created`]);
        // nothing can run it yet: a no-op up stays quiet
        expect((await host.diff("convergence", outs, inputs([listener]), { type: TYPE })).changes).toBe("none");
        // once a restart command is given, the owed restart runs, without repeating the reloads
        expect((await host.diff("convergence", outs, inputs([listener], { restartCommand: restartCommand() }), { type: TYPE })).changes).toBe("some");
        sim.resetCounters();
        const { properties: paid } = await host.update("convergence", outs, inputs([listener], { restartCommand: restartCommand() }), { type: TYPE });
        expect(paid.restarted).toBe(true);
        expect(paid.pendingRestart).toEqual([]);
        expect(paid.reloads).toEqual([]);
        expect(sim.counters.jmapWrites).toBe(0);
    });

    it("a reload that keeps failing is a readiness gate, then an error naming the object and the reason", async () => {
        const dir = await create("x:Directory", { "@type": "Oidc", description: "idp", issuerUrl: "https://down.infinidim.net" });
        sim.resetCounters();
        const err = await host.create(inputs([dir]), { type: TYPE }).then(() => undefined, (e) => e);
        expect(err).toBeInstanceOf(ProviderHostError);
        expect((err as Error).message).toMatch(new RegExp(`ReloadSettings failed on x:Directory ${dir.objectId}: .*Discovery`));
        expect((err as Error).message).toMatch(/after 3 attempts/);
        expect(sim.counters.byMethod["x:Action/set"]).toBe(3);
        await jmap([["x:Directory/set", { destroy: [dir.objectId] }, "d"]]);
    });

    it("a reload that succeeds once the IdP is up converges, and /api/discover proves the OIDC binding", async () => {
        sim.setReachableIdp(ISSUER, false);
        const dir = await create("x:Directory", { "@type": "Oidc", description: "idp", issuerUrl: ISSUER });
        const domain = await create("x:Domain", { name: "oidc.test", dkimManagement: { "@type": "Manual" } });
        const auth = await update("x:Authentication", "singleton", { directoryId: dir.objectId });
        setTimeout(() => sim.setReachableIdp(ISSUER, true), 80);
        const { properties: outs } = await host.create(inputs([dir, domain, auth], { discoverAddress: "someone@oidc.test", readiness: { ...FAST, attempts: 6 } }), { type: TYPE });
        expect(outs.reloads).toEqual(["ReloadSettings"]);
        expect(outs.directoryBinding).toBe("issuer");
        await jmap([["x:Authentication/set", { update: { singleton: { directoryId: null } } }, "a"], ["x:Directory/set", { destroy: [dir.objectId] }, "d"]]);
    });

    it("a stored directoryId whose directory did not build is reported as not effective", async () => {
        sim.setReachableIdp(ISSUER, true);
        const dir = await create("x:Directory", { "@type": "Oidc", description: "idp", issuerUrl: ISSUER });
        await create("x:Domain", { name: "unbound.test", dkimManagement: { "@type": "Manual" } });
        const auth = await update("x:Authentication", "singleton", { directoryId: dir.objectId });
        const { properties: ok } = await host.create(inputs([dir, auth], { discoverAddress: "a@unbound.test" }), { type: TYPE });
        expect(ok.directoryBinding).toBe("issuer");
        // the IdP goes away and Stalwart restarts: the stored binding stays, the effective one is gone
        sim.setReachableIdp(ISSUER, false);
        await sim.restart();
        const listener = await create("x:NetworkListener", { name: "pop3s", bind: { "[::]:995": true }, protocol: "pop3" });
        const err = await host.update("convergence", ok, inputs([dir, auth, listener], { discoverAddress: "a@unbound.test", restartCommand: restartCommand() }), { type: TYPE }).then(() => undefined, (e) => e);
        expect(String(err)).toMatch(/directoryId = .* is stored but not effective: \/api\/discover/);
        sim.setReachableIdp(ISSUER, true);
        await jmap([["x:Authentication/set", { update: { singleton: { directoryId: null } } }, "a"]]);
    });

    it("verification names a property that reads back different from what was written", async () => {
        const tracer = await create("x:Tracer", { "@type": "Stdout", level: "info" });
        const stale = { ...tracer, properties: { ...tracer.properties, level: "trace" } };
        const err = await host.create(inputs([stale]), { type: TYPE }).then(() => undefined, (e) => e);
        expect(String(err)).toMatch(new RegExp(`x:Tracer ${tracer.objectId}\\.level reads "info", written "trace"`));
    });

    it("check names malformed inputs", async () => {
        const { failures } = await host.check({}, { objects: [{ objectType: "Domain", objectId: "" }], restartCommand: "docker restart", __provider: providerText }, { type: TYPE });
        expect(failures.map((f) => f.property).sort()).toEqual(["objects[0].objectId", "objects[0].objectType", "restartCommand"]);
    });
});
