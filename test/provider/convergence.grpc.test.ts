// StalwartConvergence's provider, serialized and run by the SDK's dynamic-provider host over gRPC,
// against the Stalwart simulator: reloads once per change, restarts through the given command,
// waits for /healthz/live, verifies, and treats a failing reload as a readiness gate.
import { createServer, request as httpRequest, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TrackedObject } from "../../components/stalwart/convergence/changes";
import { shippedConvergenceProvider } from "../../components/stalwart/convergence";
import { type PlainObject, ProviderHost, ProviderHostError, serializeProvider, UNKNOWN } from "../support/providerHost";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart";

/** A /jmap response body as the interposer rewrites it. */
type JmapResponseBody = { methodResponses: [string, Record<string, unknown>, string][] };

const TYPE = "pulumi-nodejs:dynamic/stalwart:Convergence";
const ISSUER = "https://id.infinidim.net";
const FAST = { attempts: 3, baseDelayMs: 50, liveTimeoutMs: 10_000 };

let sim: StalwartSimulator;
let host: ProviderHost;
let providerText: string;
let restartHook: Server;
let restartUrl: string;
let restarts = 0;

/**
 * An HTTP interposer between a second provider host and the simulator: it records the raw
 * /api/discover paths, can break or stall discover requests, and can rewrite /jmap answers.
 */
const tap = {
    discoverPaths: [] as string[],
    dropDiscover: 0,
    stallDiscover: 0,
    stalled: [] as ServerResponse[],
    /** rewrites the next `times` /jmap answers that contain x:Action/set */
    rewriteAction: undefined as undefined | { times: number; fn: (body: JmapResponseBody) => JmapResponseBody },
};
let interposer: Server;
let tapped: ProviderHost;

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
    providerText = await serializeProvider(shippedConvergenceProvider());
    const [user, password] = sim.adminCredentials.split(":");
    host = await ProviderHost.start({ env: { STALWART_URL: sim.url, STALWART_USER: user, STALWART_PASSWORD: password, STALWART_TOKEN: undefined } });
    console.log(`convergence __provider: ${providerText.length} B`);

    interposer = createServer((req, res) => {
        const path = req.url ?? "/";
        if (path.startsWith("/api/discover/")) {
            tap.discoverPaths.push(path);
            if (tap.dropDiscover > 0) {
                tap.dropDiscover--;
                req.socket.destroy();
                return;
            }
            if (tap.stallDiscover > 0) {
                tap.stallDiscover--;
                tap.stalled.push(res);
                return;
            }
        }
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => {
            const body = Buffer.concat(chunks);
            const headers = { ...req.headers, host: new URL(sim.url).host };
            const upstream = httpRequest(`${sim.url}${path}`, { method: req.method, headers }, (up) => {
                const parts: Buffer[] = [];
                up.on("data", (c: Buffer) => parts.push(c));
                up.on("end", () => {
                    let out = Buffer.concat(parts);
                    const rewrite = tap.rewriteAction;
                    if (rewrite && rewrite.times > 0 && path.startsWith("/jmap") && body.includes("x:Action/set")) {
                        rewrite.times--;
                        out = Buffer.from(JSON.stringify(rewrite.fn(JSON.parse(out.toString("utf8")))));
                    }
                    const { "content-length": _length, "transfer-encoding": _encoding, ...rest } = up.headers;
                    res.writeHead(up.statusCode ?? 502, { ...rest, "content-length": out.length });
                    res.end(out);
                });
            });
            upstream.on("error", () => req.socket.destroy());
            upstream.end(body);
        });
    });
    await new Promise<void>((r) => interposer.listen(0, "127.0.0.1", r));
    const tapUrl = `http://127.0.0.1:${(interposer.address() as AddressInfo).port}`;
    tapped = await ProviderHost.start({ env: { STALWART_URL: tapUrl, STALWART_USER: user, STALWART_PASSWORD: password, STALWART_TOKEN: undefined } });
});

afterAll(async () => {
    await host?.stop();
    await tapped?.stop();
    for (const res of tap.stalled) res.socket?.destroy();
    await new Promise((r) => interposer?.close(r));
    await sim?.close();
    await new Promise((r) => restartHook?.close(r));
});

beforeEach(() => {
    restarts = 0;
    tap.discoverPaths = [];
    tap.dropDiscover = 0;
    tap.stallDiscover = 0;
    tap.rewriteAction = undefined;
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

    it("objects that left the list leave the server before the reload and the restart: created ones deleted, adopted ones given back, old state never deleted", async () => {
        const domain = await create("x:Domain", { name: "stays.test", dkimManagement: { "@type": "Manual" } });
        const tracer = { ...(await create("x:Tracer", { "@type": "Stdout", level: "info" })), adopted: false };
        const listener = { ...(await create("x:NetworkListener", { name: "gone-2525", bind: { "[::]:2525": true }, protocol: "smtp" })), adopted: false };
        const adopted = await create("x:NetworkListener", { name: "given-back", bind: { "[::]:2526": true }, protocol: "smtp", overrideProxyTrustedNetworks: { "100.64.0.0/10": true } });
        const givenBack = { ...adopted, adopted: true, restore: { overrideProxyTrustedNetworks: {} } };
        // state written before `adopted` was tracked: never destroyed
        const legacy = await create("x:Tracer", { "@type": "Stdout", level: "warn" });
        const { properties: first } = await host.create(inputs([domain, tracer, listener, givenBack, legacy], { restartCommand: restartCommand() }), { type: TYPE });
        expect(Object.keys(sim.running().objects["x:Tracer"] ?? {})).toEqual(expect.arrayContaining([tracer.objectId, legacy.objectId]));
        expect(JSON.stringify(sim.running().objects["x:NetworkListener"])).toContain("[::]:2525");

        sim.resetCounters();
        restarts = 0;
        const news = inputs([domain], { restartCommand: restartCommand() });
        expect((await host.diff("convergence", first, news, { type: TYPE })).changes).toBe("some");
        const { properties: second } = await host.update("convergence", first, news, { type: TYPE });
        expect(sim.stored("x:Tracer", tracer.objectId)).toBeUndefined();
        expect(sim.stored("x:NetworkListener", listener.objectId)).toBeUndefined();
        expect(sim.stored("x:NetworkListener", adopted.objectId)?.overrideProxyTrustedNetworks).toEqual({});
        expect(sim.stored("x:Tracer", legacy.objectId)).toBeDefined();
        expect(second.retired).toEqual([`restored x:NetworkListener "given-back" (id "${adopted.objectId}")`, `deleted x:Tracer (id "${tracer.objectId}")`, `deleted x:NetworkListener "gone-2525" (id "${listener.objectId}")`]);
        // effective in this same apply: the tracer stopped by the reload, the listener unbound by the restart
        expect(second).toMatchObject({ reloads: ["ReloadSettings"], restarted: true, pendingRestart: [] });
        expect(restarts).toBe(1);
        expect(Object.keys(sim.running().objects["x:Tracer"] ?? {})).not.toContain(tracer.objectId);
        expect(JSON.stringify(sim.running().objects["x:NetworkListener"])).not.toContain("[::]:2525");
        // the destroys came before the reload
        const order = sim.jmapLog.flatMap((b) => b.methodCalls.map((c) => c[0])).filter((m) => m.endsWith("/set"));
        expect(order.indexOf("x:Action/set")).toBeGreaterThan(order.lastIndexOf("x:Tracer/set"));
    });

    it("a created object that left the list but is still referenced fails the apply, naming the links; the next apply tries again", async () => {
        const domain = { ...(await create("x:Domain", { name: "still-used.test", dkimManagement: { "@type": "Manual" } })), adopted: false };
        const { properties: first } = await host.create(inputs([domain]), { type: TYPE });
        const [[, made]] = await jmap([["x:Account/set", { create: { a: { "@type": "User", name: "carol", domainId: domain.objectId } } }, "a"]]);
        const account = made.created.a.id;
        const err = await host.update("convergence", first, inputs([]), { type: TYPE }).then(() => undefined, (e: Error) => e);
        expect(String(err)).toMatch(new RegExp(`objects that left the program could not be removed: x:Domain "still-used.test" \\(id "${domain.objectId}"\\) was kept on the server: still referenced by x:Account ${account}\\. Re-point or delete those`));
        expect(sim.stored("x:Domain", domain.objectId)).toBeDefined();
        await jmap([["x:Account/set", { destroy: [account] }, "d"]]);
        const { properties: second } = await host.update("convergence", first, inputs([]), { type: TYPE });
        expect(second.retired).toEqual([`deleted x:Domain "still-used.test" (id "${domain.objectId}")`]);
        expect(sim.stored("x:Domain", domain.objectId)).toBeUndefined();
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

    it("account-scoped objects are read back in their own account (one /get per type and account)", async () => {
        const domain = await create("x:Domain", { name: "scoped.test", dkimManagement: { "@type": "Manual" } });
        const alice = await create("x:Account", { "@type": "User", name: "alice", domainId: domain.objectId });
        const bob = await create("x:Account", { "@type": "User", name: "bob", domainId: domain.objectId });
        const apiKey = async (accountId: string, description: string): Promise<TrackedObject> => {
            const [[, set], [, got]] = await jmap([
                ["x:ApiKey/set", { accountId, create: { k: { description } } }, "s"],
                ["x:ApiKey/get", { accountId, ids: ["#k"] }, "g"],
            ]);
            expect(set.notCreated, JSON.stringify(set.notCreated)).toBeUndefined();
            const { id, ...properties } = got.list[0];
            return { objectType: "x:ApiKey", objectId: id, accountId, properties };
        };
        const aliceKey = await apiKey(alice.objectId, "alice ci");
        const bobKey = await apiKey(bob.objectId, "bob ci");
        // the recovery admin's own account holds no credentials: without the accountId they read as gone
        const [[, unscoped]] = await jmap([["x:ApiKey/get", { ids: [aliceKey.objectId] }, "g"]]);
        expect(unscoped.list ?? []).toEqual([]);

        sim.resetCounters();
        const { properties: outs } = await host.create(inputs([aliceKey, bobKey, domain]), { type: TYPE });
        expect(outs.verified).toBe(3);
        expect(sim.counters.byMethod["x:ApiKey/get"]).toBe(2);
        expect((outs.objects as TrackedObject[]).map((o) => o.accountId)).toEqual([alice.objectId, bob.objectId, undefined]);

        // drift in one account is named with its account
        await jmap([["x:ApiKey/set", { accountId: bob.objectId, update: { [bobKey.objectId]: { description: "edited by hand" } } }, "u"]]);
        const err = await host.update("convergence", outs, inputs([aliceKey, { ...bobKey, properties: { ...bobKey.properties, description: "bob deploy" } }, domain]), { type: TYPE }).then(
            () => undefined,
            (e) => e,
        );
        expect(String(err)).toContain(`x:ApiKey ${bobKey.objectId}.description in account ${bob.objectId} reads "edited by hand", written "bob deploy"`);

        const { failures } = await host.check({}, { objects: [{ ...aliceKey, accountId: 7 }], __provider: providerText }, { type: TYPE });
        expect(failures.map((f) => f.property)).toEqual(["objects[0].accountId"]);
    });

    it("/api/discover gets the address with its @ as it is; a connection error or a timeout is retried, not fatal", async () => {
        sim.setReachableIdp(ISSUER, true);
        const dir = await create("x:Directory", { "@type": "Oidc", description: "idp", issuerUrl: ISSUER });
        await create("x:Domain", { name: "raw.test", dkimManagement: { "@type": "Manual" } });
        const auth = await update("x:Authentication", "singleton", { directoryId: dir.objectId });
        const objects = [dir, auth];
        const address = "some+one@raw.test";

        const { properties: ok } = await tapped.create(inputs(objects, { discoverAddress: address }), { type: TYPE });
        expect(ok.directoryBinding).toBe("issuer");
        expect(tap.discoverPaths).toEqual([`/api/discover/${address}`]);

        // the first two discover requests break: retried within the readiness attempts, no reload in between
        tap.discoverPaths = [];
        tap.dropDiscover = 2;
        sim.resetCounters();
        const { properties: again } = await tapped.create(inputs(objects, { discoverAddress: address }), { type: TYPE });
        expect(again.directoryBinding).toBe("issuer");
        expect(tap.discoverPaths).toHaveLength(3);
        expect(sim.counters.byMethod["x:Action/set"]).toBe(1); // the plan's ReloadSettings only

        // a discover request that hangs times out and is retried
        tap.discoverPaths = [];
        tap.stallDiscover = 1;
        const { properties: slow } = await tapped.create(inputs(objects, { discoverAddress: address, readiness: { ...FAST, discoverTimeoutMs: 300 } }), { type: TYPE });
        expect(slow.directoryBinding).toBe("issuer");
        expect(tap.discoverPaths).toHaveLength(2);

        // it stays unreachable: bounded, then an error that says so
        tap.dropDiscover = 100;
        const err = await tapped.create(inputs(objects, { discoverAddress: address }), { type: TYPE }).then(() => undefined, (e) => e);
        expect(String(err)).toMatch(/directoryId = .* could not be confirmed: .*\/api\/discover\/some\+one@raw\.test gave no usable answer after 3 attempts \(last: unreachable/);
        await jmap([["x:Authentication/set", { update: { singleton: { directoryId: null } } }, "a"], ["x:Directory/set", { destroy: [dir.objectId] }, "d"]]);
    });

    it("without discoverAddress, asks /api/discover about postmaster@ a managed domain, else a domain on the server", async () => {
        sim.setReachableIdp(ISSUER, true);
        const dir = await create("x:Directory", { "@type": "Oidc", description: "idp", issuerUrl: ISSUER });
        const domain = await create("x:Domain", { name: "derived.test", dkimManagement: { "@type": "Manual" } });
        const auth = await update("x:Authentication", "singleton", { directoryId: dir.objectId });
        tap.discoverPaths = [];
        const { properties: withDomain } = await tapped.create(inputs([dir, domain, auth]), { type: TYPE });
        expect(withDomain.directoryBinding).toBe("issuer");
        expect(tap.discoverPaths).toEqual(["/api/discover/postmaster@derived.test"]);

        tap.discoverPaths = [];
        const { properties: fromServer } = await tapped.create(inputs([dir, auth]), { type: TYPE });
        expect(fromServer.directoryBinding).toBe("issuer");
        expect(tap.discoverPaths).toHaveLength(1);
        expect(tap.discoverPaths[0]).toMatch(/^\/api\/discover\/postmaster@[a-z0-9.-]+\.test$/);
        await jmap([["x:Authentication/set", { update: { singleton: { directoryId: null } } }, "a"], ["x:Directory/set", { destroy: [dir.objectId] }, "d"]]);
    });

    it("numbers reload actions from r1, as the example in docs/stalwart-facts.md#reload-restart does", async () => {
        const tracer = await create("x:Tracer", { "@type": "Stdout", level: "debug" });
        sim.resetCounters();
        await host.create(inputs([tracer]), { type: TYPE });
        const actions = sim.jmapLog.flatMap((body) => body.methodCalls.filter((c) => c[0] === "x:Action/set"));
        expect(actions.map((c) => Object.keys(c[1].create as object))).toEqual([["r1"]]);
    });

    it("by default a failing reload is a short gate: four attempts, half a second apart and doubling", async () => {
        const dir = await create("x:Directory", { "@type": "Oidc", description: "idp", issuerUrl: "https://down-default.infinidim.net" });
        sim.resetCounters();
        const started = Date.now();
        const err = await host.create({ objects: [dir], __provider: providerText }, { type: TYPE }).then(() => undefined, (e) => e);
        expect(String(err)).toMatch(/after 4 attempts/);
        expect(sim.counters.byMethod["x:Action/set"]).toBe(4);
        // 0.5 + 1 + 2 s of backoff: a figure, not a timing assertion on the server
        expect(Date.now() - started).toBeGreaterThanOrEqual(3_400);
        await jmap([["x:Directory/set", { destroy: [dir.objectId] }, "d"]]);
    }, 20_000);

    it("a reload the server neither confirms nor refuses is a failure; a wrong method response is an error", async () => {
        const tracer = await create("x:Tracer", { "@type": "Stdout", level: "warn" });
        const dropCreated = (body: JmapResponseBody) => {
            const [, args] = body.methodResponses[0]!;
            delete args.created;
            return body;
        };
        // once: retried, then confirmed
        tap.rewriteAction = { times: 1, fn: dropCreated };
        sim.resetCounters();
        const { properties: outs } = await tapped.create(inputs([tracer]), { type: TYPE });
        expect(outs.reloads).toEqual(["ReloadSettings"]);
        expect(sim.counters.byMethod["x:Action/set"]).toBe(2);

        // never confirmed: a readiness failure that ends in an error naming the action
        tap.rewriteAction = { times: 100, fn: dropCreated };
        const unconfirmed = await tapped.create(inputs([tracer]), { type: TYPE }).then(() => undefined, (e) => e);
        expect(String(unconfirmed)).toMatch(/ReloadSettings failed: the server confirmed it neither as created nor as notCreated \(after 3 attempts\)/);

        // an answer to some other method confirms nothing
        tap.rewriteAction = { times: 100, fn: (body) => ({ ...body, methodResponses: [["x:Action/get", { list: [], notFound: [] }, "a"]] }) };
        const wrong = await tapped.create(inputs([tracer]), { type: TYPE }).then(() => undefined, (e) => e);
        expect(String(wrong)).toMatch(/x:Action\/set \(ReloadSettings\): the server answered "x:Action\/get" instead of x:Action\/set/);
        await jmap([["x:Tracer/set", { destroy: [tracer.objectId] }, "d"]]);
    });
});
