// StalwartConvergence's provider removing the objects that left the program, in the same apply and
// before its reloads and restart (decision 012): created ones deleted, adopted ones given back, a
// still-referenced one failing the apply by name. Serialized, run by the SDK's dynamic-provider
// host over gRPC against the simulator.
import { describe, expect, it } from "vitest";
import { CONVERGENCE as TYPE, useConvergenceHost } from "../support/convergenceFixture";

const f = useConvergenceHost();
const { create, inputs, jmap, restartCommand } = f;

describe("StalwartConvergence and objects that left the program", () => {
    it("objects that left the list leave the server before the reload and the restart: created ones deleted, adopted ones given back, old state never deleted", async () => {
        const domain = await create("x:Domain", { name: "stays.test", dkimManagement: { "@type": "Manual" } });
        const tracer = { ...(await create("x:Tracer", { "@type": "Stdout", level: "info" })), adopted: false };
        const listener = {
            ...(await create("x:NetworkListener", {
                name: "gone-2525",
                bind: { "[::]:2525": true },
                protocol: "smtp",
            })),
            adopted: false,
        };
        const adopted = await create("x:NetworkListener", {
            name: "given-back",
            bind: { "[::]:2526": true },
            protocol: "smtp",
            overrideProxyTrustedNetworks: { "100.64.0.0/10": true },
        });
        const givenBack = { ...adopted, adopted: true, restore: { overrideProxyTrustedNetworks: {} } };
        // state written before `adopted` was tracked: never destroyed
        const legacy = await create("x:Tracer", { "@type": "Stdout", level: "warn" });
        const { properties: first } = await f.host.create(
            inputs([domain, tracer, listener, givenBack, legacy], { restartCommand: restartCommand() }),
            { type: TYPE },
        );
        expect(Object.keys(f.sim.running().objects["x:Tracer"] ?? {})).toEqual(
            expect.arrayContaining([tracer.objectId, legacy.objectId]),
        );
        expect(JSON.stringify(f.sim.running().objects["x:NetworkListener"])).toContain("[::]:2525");

        f.sim.resetCounters();
        f.restarts = 0;
        const news = inputs([domain], { restartCommand: restartCommand() });
        expect((await f.host.diff("convergence", first, news, { type: TYPE })).changes).toBe("some");
        const { properties: second } = await f.host.update("convergence", first, news, { type: TYPE });
        expect(f.sim.stored("x:Tracer", tracer.objectId)).toBeUndefined();
        expect(f.sim.stored("x:NetworkListener", listener.objectId)).toBeUndefined();
        expect(f.sim.stored("x:NetworkListener", adopted.objectId)?.overrideProxyTrustedNetworks).toEqual({});
        expect(f.sim.stored("x:Tracer", legacy.objectId)).toBeDefined();
        expect(second.retired).toEqual([
            `restored x:NetworkListener "given-back" (id "${adopted.objectId}")`,
            `deleted x:Tracer (id "${tracer.objectId}")`,
            `deleted x:NetworkListener "gone-2525" (id "${listener.objectId}")`,
        ]);
        // effective in this same apply: the tracer stopped by the reload, the listener unbound by the restart
        expect(second).toMatchObject({ reloads: ["ReloadSettings"], restarted: true, pendingRestart: [] });
        expect(f.restarts).toBe(1);
        expect(Object.keys(f.sim.running().objects["x:Tracer"] ?? {})).not.toContain(tracer.objectId);
        expect(JSON.stringify(f.sim.running().objects["x:NetworkListener"])).not.toContain("[::]:2525");
        // the destroys came before the reload
        const order = f.sim.jmapLog.flatMap((b) => b.methodCalls.map((c) => c[0])).filter((m) => m.endsWith("/set"));
        expect(order.indexOf("x:Action/set")).toBeGreaterThan(order.lastIndexOf("x:Tracer/set"));
    });

    it("a created object that left the list but is still referenced fails the apply, naming the links; the next apply tries again", async () => {
        const domain = {
            ...(await create("x:Domain", { name: "still-used.test", dkimManagement: { "@type": "Manual" } })),
            adopted: false,
        };
        const { properties: first } = await f.host.create(inputs([domain]), { type: TYPE });
        const [[, made]] = await jmap([
            ["x:Account/set", { create: { a: { "@type": "User", name: "carol", domainId: domain.objectId } } }, "a"],
        ]);
        const account = made.created.a.id;
        const err = await f.host.update("convergence", first, inputs([]), { type: TYPE }).then(
            () => undefined,
            (e: Error) => e,
        );
        expect(String(err)).toMatch(
            new RegExp(
                `objects that left the program could not be removed: x:Domain "still-used.test" \\(id "${domain.objectId}"\\) was kept on the server: still referenced by x:Account ${account}\\. Re-point or delete those`,
            ),
        );
        expect(f.sim.stored("x:Domain", domain.objectId)).toBeDefined();
        await jmap([["x:Account/set", { destroy: [account] }, "d"]]);
        const { properties: second } = await f.host.update("convergence", first, inputs([]), { type: TYPE });
        expect(second.retired).toEqual([`deleted x:Domain "still-used.test" (id "${domain.objectId}")`]);
        expect(f.sim.stored("x:Domain", domain.objectId)).toBeUndefined();
    });

    it("state tracked before adoption was recorded is brought up to date by the next up, with no write, reload or restart", async () => {
        const tracer = await create("x:Tracer", { "@type": "Stdout", level: "error" });
        const { properties: first } = await f.host.create(inputs([tracer]), { type: TYPE });
        const recorded = inputs([{ ...tracer, adopted: false }]);
        expect((await f.host.diff("convergence", first, recorded, { type: TYPE })).changes).toBe("some");
        f.sim.resetCounters();
        const { properties: second } = await f.host.update("convergence", first, recorded, { type: TYPE });
        expect(second).toMatchObject({
            reloads: [],
            restarted: false,
            retired: [],
            objects: [expect.objectContaining({ adopted: false })],
        });
        expect(f.sim.counters.jmapWrites).toBe(0);
        expect((await f.host.diff("convergence", second, recorded, { type: TYPE })).changes).toBe("none");
    });

    it("a default directory replaced by another: the binding moves first, then the old directory goes, in the same apply", async () => {
        const [a, b] = ["https://idp-a.infinidim.net", "https://idp-b.infinidim.net"];
        f.sim.setReachableIdp(a, true);
        f.sim.setReachableIdp(b, true);
        const bound = (id: string) => ({ defaultDirectoryId: id, discoverAddress: "someone@infinidim.net" });
        const before = {
            ...(await create("x:Directory", { "@type": "Oidc", description: "a", issuerUrl: a })),
            adopted: false,
        };
        const { properties: first } = await f.host.create(inputs([before], bound(before.objectId)), { type: TYPE });
        expect(f.sim.stored("x:Authentication", "singleton")?.directoryId).toBe(before.objectId);
        const after = {
            ...(await create("x:Directory", { "@type": "Oidc", description: "b", issuerUrl: b })),
            adopted: false,
        };
        const { properties: second } = await f.host.update(
            "convergence",
            first,
            inputs([after], bound(after.objectId)),
            { type: TYPE },
        );
        expect(second.directoryBinding).toBe("issuer");
        expect(f.sim.stored("x:Authentication", "singleton")?.directoryId).toBe(after.objectId);
        expect(f.sim.stored("x:Directory", before.objectId)).toBeUndefined();
        expect(second.retired).toEqual([`deleted x:Directory (id "${before.objectId}")`]);
        expect(Object.keys(f.sim.running().directories)).toEqual([after.objectId]);
    });
});
