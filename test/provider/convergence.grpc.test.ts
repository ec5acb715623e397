// StalwartConvergence's provider, serialized and run by the SDK's dynamic-provider host over gRPC,
// against the Stalwart simulator: reloads once per change, restarts through the given command,
// waits for /healthz/live, verifies, and treats a failing reload as a readiness gate.
import { createServer, request as httpRequest, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TrackedObject } from "../../components/stalwart/convergence/changes";
import { CONVERGENCE as TYPE, FAST, useConvergenceHost } from "../support/convergenceFixture";
import { ProviderHost, ProviderHostError, UNKNOWN } from "../support/providerHost";
import type { StalwartSimulator } from "../support/stalwart";

/** A /jmap response body as the interposer rewrites it. */
type JmapResponseBody = { methodResponses: [string, Record<string, unknown>, string][] };

const ISSUER = "https://id.infinidim.net";

const f = useConvergenceHost();
let sim: StalwartSimulator;
let host: ProviderHost;
const { jmap, create, update, inputs, restartCommand } = f;

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

beforeAll(async () => {
    ({ sim, host } = f);
    const [user, password] = sim.adminCredentials.split(":");
    console.log(`convergence __provider: ${f.providerText.length} B`);

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
    tapped = await ProviderHost.start({
        env: { STALWART_URL: tapUrl, STALWART_USER: user, STALWART_PASSWORD: password, STALWART_TOKEN: undefined },
    });
});

afterAll(async () => {
    await tapped?.stop();
    for (const res of tap.stalled) res.socket?.destroy();
    await new Promise((r) => interposer?.close(r));
});

beforeEach(() => {
    tap.discoverPaths = [];
    tap.dropDiscover = 0;
    tap.stallDiscover = 0;
    tap.rewriteAction = undefined;
});

describe("StalwartConvergence", () => {
    it("first apply: one ReloadSettings, one restart for the listener, then everything verified", async () => {
        const domain = await create("x:Domain", { name: "converge.test", dkimManagement: { "@type": "Manual" } });
        const tracer = await create("x:Tracer", { "@type": "Stdout", level: "info" });
        const listener = await create("x:NetworkListener", {
            name: "submission",
            bind: { "[::]:587": true },
            protocol: "smtp",
        });
        const bootsBefore = sim.running().boots;
        sim.resetCounters();
        const { properties: outs } = await host.create(
            inputs([domain, tracer, listener], { restartCommand: restartCommand() }),
            { type: TYPE },
        );
        expect(outs.reloads).toEqual(["ReloadSettings"]);
        expect(outs.restarted).toBe(true);
        expect(outs.pendingRestart).toEqual([]);
        expect(outs.verified).toBe(3);
        expect(f.restarts).toBe(1);
        expect(sim.running().boots).toBe(bootsBefore + 1);
        expect(sim.counters.byMethod["x:Action/set"]).toBe(1);

        // a second up with nothing changed: no diff, so no reload and no restart
        const diff = await host.diff(
            "convergence",
            outs,
            inputs([domain, tracer, listener], { restartCommand: restartCommand() }),
            { type: TYPE },
        );
        expect(diff.changes).toBe("none");
        // while an input is still unknown (preview), the step is assumed to run
        const previewDiff = await host.diff("convergence", outs, inputs([domain, { ...tracer, objectId: UNKNOWN }]), {
            type: TYPE,
        });
        expect(previewDiff.changes).toBe("some");
    });

    it("a changed tracer reloads once and does not restart; a live domain change needs neither", async () => {
        const domain = await create("x:Domain", { name: "live.test", dkimManagement: { "@type": "Manual" } });
        const tracer = await create("x:Tracer", { "@type": "Stdout", level: "info" });
        const { properties: first } = await host.create(inputs([domain, tracer]), { type: TYPE });
        const louder = await update("x:Tracer", tracer.objectId, { level: "debug" });
        const described = await update("x:Domain", domain.objectId, { description: "now described" });
        expect((await host.diff("convergence", first, inputs([described, louder]), { type: TYPE })).changes).toBe(
            "some",
        );
        sim.resetCounters();
        const { properties: second } = await host.update("convergence", first, inputs([described, louder]), {
            type: TYPE,
        });
        expect(second.reloads).toEqual(["ReloadSettings"]);
        expect(second.restarted).toBe(false);
        expect(sim.counters.byMethod["x:Action/set"]).toBe(1);
        expect(f.restarts).toBe(0);

        const { properties: third } = await host.update(
            "convergence",
            second,
            inputs([await update("x:Domain", domain.objectId, { description: "again" }), louder]),
            { type: TYPE },
        );
        expect(third.reloads).toEqual([]);
    });

    it("without a restart command, a restart-needing change is reported as pending and stays owed", async () => {
        const listener = await create("x:NetworkListener", {
            name: "imap",
            bind: { "[::]:143": true },
            protocol: "imap",
        });
        const { properties: outs } = await host.create(inputs([listener]), { type: TYPE });
        expect(outs.restarted).toBe(false);
        expect(outs.pendingRestart).toEqual([`x:NetworkListener ${listener.objectId}: created`]);
        // nothing can run it yet: a no-op up stays quiet
        expect((await host.diff("convergence", outs, inputs([listener]), { type: TYPE })).changes).toBe("none");
        // once a restart command is given, the owed restart runs, without repeating the reloads
        expect(
            (
                await host.diff("convergence", outs, inputs([listener], { restartCommand: restartCommand() }), {
                    type: TYPE,
                })
            ).changes,
        ).toBe("some");
        sim.resetCounters();
        const { properties: paid } = await host.update(
            "convergence",
            outs,
            inputs([listener], { restartCommand: restartCommand() }),
            { type: TYPE },
        );
        expect(paid.restarted).toBe(true);
        expect(paid.pendingRestart).toEqual([]);
        expect(paid.reloads).toEqual([]);
        expect(sim.counters.jmapWrites).toBe(0);
    });

    it("a reload that keeps failing is a readiness gate, then an error naming the object and the reason", async () => {
        const dir = await create("x:Directory", {
            "@type": "Oidc",
            description: "idp",
            issuerUrl: "https://down.infinidim.net",
        });
        sim.resetCounters();
        const err = await host.create(inputs([dir]), { type: TYPE }).then(
            () => undefined,
            (e) => e,
        );
        expect(err).toBeInstanceOf(ProviderHostError);
        expect((err as Error).message).toMatch(
            new RegExp(`ReloadSettings failed on x:Directory ${dir.objectId}: .*Discovery`),
        );
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
        const { properties: outs } = await host.create(
            inputs([dir, domain, auth], { discoverAddress: "someone@oidc.test", readiness: { ...FAST, attempts: 6 } }),
            { type: TYPE },
        );
        expect(outs.reloads).toEqual(["ReloadSettings"]);
        expect(outs.directoryBinding).toBe("issuer");
        await jmap([
            ["x:Authentication/set", { update: { singleton: { directoryId: null } } }, "a"],
            ["x:Directory/set", { destroy: [dir.objectId] }, "d"],
        ]);
    });

    it("a stored directoryId whose directory did not build is reported as not effective", async () => {
        sim.setReachableIdp(ISSUER, true);
        const dir = await create("x:Directory", { "@type": "Oidc", description: "idp", issuerUrl: ISSUER });
        await create("x:Domain", { name: "unbound.test", dkimManagement: { "@type": "Manual" } });
        const auth = await update("x:Authentication", "singleton", { directoryId: dir.objectId });
        const { properties: ok } = await host.create(inputs([dir, auth], { discoverAddress: "a@unbound.test" }), {
            type: TYPE,
        });
        expect(ok.directoryBinding).toBe("issuer");
        // the IdP goes away and Stalwart restarts: the stored binding stays, the effective one is gone
        sim.setReachableIdp(ISSUER, false);
        await sim.restart();
        const listener = await create("x:NetworkListener", {
            name: "pop3s",
            bind: { "[::]:995": true },
            protocol: "pop3",
        });
        const err = await host
            .update(
                "convergence",
                ok,
                inputs([dir, auth, listener], { discoverAddress: "a@unbound.test", restartCommand: restartCommand() }),
                { type: TYPE },
            )
            .then(
                () => undefined,
                (e) => e,
            );
        expect(String(err)).toMatch(/directoryId = .* is stored but not effective: \/api\/discover/);
        sim.setReachableIdp(ISSUER, true);
        await jmap([["x:Authentication/set", { update: { singleton: { directoryId: null } } }, "a"]]);
    });

    it("verification names a property that reads back different from what was written", async () => {
        const tracer = await create("x:Tracer", { "@type": "Stdout", level: "info" });
        const stale = { ...tracer, properties: { ...tracer.properties, level: "trace" } };
        const err = await host.create(inputs([stale]), { type: TYPE }).then(
            () => undefined,
            (e) => e,
        );
        expect(String(err)).toMatch(new RegExp(`x:Tracer ${tracer.objectId}\\.level reads "info", written "trace"`));
    });

    it("check names malformed inputs", async () => {
        const { failures } = await host.check(
            {},
            {
                objects: [{ objectType: "Domain", objectId: "" }],
                restartCommand: "docker restart",
                __provider: f.providerText,
            },
            { type: TYPE },
        );
        expect(failures.map((f) => f.property).sort()).toEqual([
            "objects[0].objectId",
            "objects[0].objectType",
            "restartCommand",
        ]);
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
        expect((outs.objects as TrackedObject[]).map((o) => o.accountId)).toEqual([
            alice.objectId,
            bob.objectId,
            undefined,
        ]);

        // drift in one account is named with its account
        await jmap([
            [
                "x:ApiKey/set",
                { accountId: bob.objectId, update: { [bobKey.objectId]: { description: "edited by hand" } } },
                "u",
            ],
        ]);
        const err = await host
            .update(
                "convergence",
                outs,
                inputs([
                    aliceKey,
                    { ...bobKey, properties: { ...bobKey.properties, description: "bob deploy" } },
                    domain,
                ]),
                { type: TYPE },
            )
            .then(
                () => undefined,
                (e) => e,
            );
        expect(String(err)).toContain(
            `x:ApiKey ${bobKey.objectId}.description in account ${bob.objectId} reads "edited by hand", written "bob deploy"`,
        );

        const { failures } = await host.check(
            {},
            { objects: [{ ...aliceKey, accountId: 7 }], __provider: f.providerText },
            { type: TYPE },
        );
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
        const { properties: again } = await tapped.create(inputs(objects, { discoverAddress: address }), {
            type: TYPE,
        });
        expect(again.directoryBinding).toBe("issuer");
        expect(tap.discoverPaths).toHaveLength(3);
        expect(sim.counters.byMethod["x:Action/set"]).toBe(1); // the plan's ReloadSettings only

        // a discover request that hangs times out and is retried
        tap.discoverPaths = [];
        tap.stallDiscover = 1;
        const { properties: slow } = await tapped.create(
            inputs(objects, { discoverAddress: address, readiness: { ...FAST, discoverTimeoutMs: 300 } }),
            { type: TYPE },
        );
        expect(slow.directoryBinding).toBe("issuer");
        expect(tap.discoverPaths).toHaveLength(2);

        // it stays unreachable: bounded, then an error that says so
        tap.dropDiscover = 100;
        const err = await tapped.create(inputs(objects, { discoverAddress: address }), { type: TYPE }).then(
            () => undefined,
            (e) => e,
        );
        expect(String(err)).toMatch(
            /directoryId = .* could not be confirmed: .*\/api\/discover\/some\+one@raw\.test gave no usable answer after 3 attempts \(last: unreachable/,
        );
        await jmap([
            ["x:Authentication/set", { update: { singleton: { directoryId: null } } }, "a"],
            ["x:Directory/set", { destroy: [dir.objectId] }, "d"],
        ]);
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
        await jmap([
            ["x:Authentication/set", { update: { singleton: { directoryId: null } } }, "a"],
            ["x:Directory/set", { destroy: [dir.objectId] }, "d"],
        ]);
    });

    it("numbers reload actions from r1, as the example in docs/stalwart-facts.md#reload-restart does", async () => {
        const tracer = await create("x:Tracer", { "@type": "Stdout", level: "debug" });
        sim.resetCounters();
        await host.create(inputs([tracer]), { type: TYPE });
        const actions = sim.jmapLog.flatMap((body) => body.methodCalls.filter((c) => c[0] === "x:Action/set"));
        expect(actions.map((c) => Object.keys(c[1].create as object))).toEqual([["r1"]]);
    });

    it("by default a failing reload is a short gate: four attempts, half a second apart and doubling", async () => {
        const dir = await create("x:Directory", {
            "@type": "Oidc",
            description: "idp",
            issuerUrl: "https://down-default.infinidim.net",
        });
        sim.resetCounters();
        const started = Date.now();
        const err = await host.create({ objects: [dir], __provider: f.providerText }, { type: TYPE }).then(
            () => undefined,
            (e) => e,
        );
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
        const unconfirmed = await tapped.create(inputs([tracer]), { type: TYPE }).then(
            () => undefined,
            (e) => e,
        );
        expect(String(unconfirmed)).toMatch(
            /ReloadSettings failed: the server confirmed it neither as created nor as notCreated \(after 3 attempts\)/,
        );

        // an answer to some other method confirms nothing
        tap.rewriteAction = {
            times: 100,
            fn: (body) => ({ ...body, methodResponses: [["x:Action/get", { list: [], notFound: [] }, "a"]] }),
        };
        const wrong = await tapped.create(inputs([tracer]), { type: TYPE }).then(
            () => undefined,
            (e) => e,
        );
        expect(String(wrong)).toMatch(
            /x:Action\/set \(ReloadSettings\): the server answered "x:Action\/get" instead of x:Action\/set/,
        );
        await jmap([["x:Tracer/set", { destroy: [tracer.objectId] }, "d"]]);
    });
});
