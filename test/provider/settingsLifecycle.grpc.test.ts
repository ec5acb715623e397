// The deployment's own dev and prod x:* settings plans (buildPlan of the committed stack files), run
// by the SDK's dynamic-provider host over gRPC against a simulator booted as a fresh Stalwart v0.16,
// in the engine's order of operations (test/support/engine.ts): first up, a no-op up, a change, a
// removed port, unmanaging, destroy by default and destroy with allowDataLoss, each step checked on
// what the server stores and what it runs (decision 012).
import { describe, expect, it } from "vitest";
import { EngineModel } from "../support/engine";
import type { JsonObject } from "../support/stalwart";
import { useSettingsScenario } from "../support/settingsScenario";

const s = useSettingsScenario();
const TAILNET = { "100.64.0.0/10": true, "fd7a:115c:a1e0::/48": true };
const MANAGED = ["smtp", "submissions", "submission", "imap", "imaps", "https"];
const ADOPTED = ["smtp", "submissions", "imaps", "https"];
/** the stack's domain, as the plan names it */
const domainOf = (stack: string) => String(s.specs(stack).find((o) => o.objectType === "x:Domain")!.properties.name);
const dkimOf = (domainId: string) =>
    Object.values(s.sim.stored("x:DkimSignature")).filter((k) => k.domainId === domainId);

/** Counts and times one engine step. */
async function measured<T>(label: string, step: () => Promise<T>): Promise<T> {
    s.sim.resetCounters();
    const started = performance.now();
    const result = await step();
    const c = s.sim.counters;
    console.log(
        `${label}: ${c.jmapRequests} JMAP requests, ${c.jmapWrites} with writes, ${(performance.now() - started).toFixed(0)} ms`,
    );
    return result;
}

describe.each(["dev", "prod"])("the %s settings plan", (stack) => {
    it("first up, a no-op up, a change, a removed port, then destroy by default", async () => {
        await s.freshServer();
        const firstBoot = s.listeners();
        const engine = new EngineModel(s.host);

        const first = await measured(`${stack} first up`, () => engine.up(s.program(s.specs(stack))));
        expect(first.map((c) => c.op)).toEqual(first.map(() => "create"));
        const stored = s.listeners();
        for (const name of MANAGED) expect(stored[name]?.overrideProxyTrustedNetworks, name).toEqual(TAILNET);
        for (const name of ["pop3s", "sieve", "http"]) expect(stored[name], name).toEqual(firstBoot[name]);
        for (const name of ADOPTED)
            expect(engine.object(`listener-${name}`), name).toMatchObject({
                adopted: true,
                restore: { overrideProxyTrustedNetworks: {} },
            });
        for (const name of ["submission", "imap"]) expect(engine.object(`listener-${name}`)?.adopted, name).toBe(false);
        expect(s.boundPorts()).toEqual([25, 143, 443, 465, 587, 993, 995, 4190, 8080]);
        for (const name of MANAGED)
            expect(s.runningListeners()[name]?.overrideProxyTrustedNetworks, name).toEqual(TAILNET);
        expect(s.runningTracers()).toEqual(["Log", "Stdout"]);
        expect(engine.convergence).toMatchObject({ reloads: ["ReloadSettings"], restarted: true, pendingRestart: [] });
        expect(dkimOf(engine.object("domain")!.objectId), "Stalwart signs a new domain's mail at once").toHaveLength(2);

        const boots = s.sim.running().boots;
        const reloads = s.sim.running().reloads;
        const again = await measured(`${stack} no-op up`, () => engine.up(s.program(s.specs(stack))));
        expect(again.map((c) => c.op)).toEqual(again.map(() => "same"));
        expect(s.sim.counters.jmapWrites, "a no-op up writes nothing").toBe(0);
        expect(s.sim.running()).toMatchObject({ boots, reloads });

        const contacts = [`postmaster@${domainOf(stack)}`, `hostmaster@${domainOf(stack)}`];
        const changed = await measured(`${stack} a change`, () =>
            engine.up(s.program(s.specs(stack, (raw) => (raw.acme.contact = contacts)))),
        );
        expect(changed.filter((c) => c.op !== "same").map((c) => c.name)).toEqual([
            "mail-settings-acme",
            "mail-settings-convergence",
        ]);
        expect(s.sim.stored("x:AcmeProvider", engine.object("acme")!.objectId)?.contact).toEqual(
            Object.fromEntries(contacts.map((c) => [c, true])),
        );
        expect(s.sim.running()).toMatchObject({ boots, reloads: reloads + 1 });

        // 443 (adopted: Stalwart's own https listener) and 587 (created) leave the program
        const fewer = s.specs(stack, (raw) => {
            raw.acme.contact = contacts;
            raw.edge.ports = [25, 465, 143, 993];
            delete raw.acme.challenge; // tls-alpn-01 by default, with a warning, without 443
        });
        const removed = await measured(`${stack} a removed port`, () => engine.up(s.program(fewer)));
        expect(
            removed
                .filter((c) => c.op === "forget")
                .map((c) => c.name)
                .sort(),
        ).toEqual(["mail-settings-listener-https", "mail-settings-listener-submission"]);
        expect(
            removed.filter((c) => c.op === "delete"),
            "retained: no Delete call",
        ).toEqual([]);
        expect(s.listeners().https, "the adopted listener is given back, not deleted").toEqual(firstBoot.https);
        expect(s.listeners().submission, "the created listener is deleted").toBeUndefined();
        expect(s.boundPorts(), "587 unbound in the same up; 443 is Stalwart's own again").toEqual([
            25, 143, 443, 465, 993, 995, 4190, 8080,
        ]);
        expect(s.runningListeners().https?.overrideProxyTrustedNetworks).toEqual({});
        expect(engine.convergence).toMatchObject({ restarted: true, pendingRestart: [] });
        expect(engine.convergence?.retired).toEqual([
            expect.stringMatching(/^restored x:NetworkListener "https"/),
            expect.stringMatching(/^deleted x:NetworkListener "submission"/),
        ]);

        const before = s.stored();
        const running = s.sim.running();
        const destroyed = await measured(`${stack} destroy by default`, () => engine.destroy());
        expect(destroyed.map((c) => c.op)).toEqual(destroyed.map(() => "forget"));
        expect(s.sim.counters.requests, "nothing is sent to Stalwart").toBe(0);
        expect(s.stored()).toEqual(before);
        expect(s.sim.running()).toEqual(running);
    });

    it("unmanaging (stalwart.manageSettings false) changes nothing on the server", async () => {
        await s.freshServer();
        const engine = new EngineModel(s.host);
        await engine.up(s.program(s.specs(stack)));
        expect(s.specs(stack, (raw) => (raw.stalwart.manageSettings = false))).toEqual([]);
        const before = s.stored();
        const running = s.sim.running();
        // MailDeployment builds no StalwartSettings without specs: every object and the convergence leave the program
        const calls = await measured(`${stack} unmanaging`, () => engine.up(undefined));
        expect(calls.map((c) => c.op)).toEqual(calls.map(() => "forget"));
        expect(s.sim.counters.requests).toBe(0);
        expect(s.stored()).toEqual(before);
        expect(s.sim.running()).toEqual(running);
    });

    it("destroy with allowDataLoss on a fresh server: created objects deleted, adopted ones given back; the default domain Stalwart now requires stays", async () => {
        await s.freshServer();
        const fresh = s.stored();
        const engine = new EngineModel(s.host);
        await engine.up(s.program(s.specs(stack), { allowDataLoss: true }));
        const domain = engine.object("domain")!.objectId;
        const acme = engine.object("acme")!.objectId;
        const calls = await measured(`${stack} destroy with allowDataLoss`, () => engine.destroy());
        expect(calls.map((c) => c.op)).toEqual(calls.map(() => "delete"));
        expect(calls[0]!.name, "the convergence first, then the objects in reverse dependency order").toBe(
            "mail-settings-convergence",
        );

        expect(
            s.sim.stored("x:NetworkListener"),
            "first-boot listeners as they were; submission and imap gone",
        ).toEqual(fresh["x:NetworkListener"]);
        expect(s.sim.stored("x:Tracer"), "the stdout tracer gone, Stalwart's log tracer kept").toEqual(
            fresh["x:Tracer"],
        );
        for (const t of ["x:Role", "x:Authentication", "x:MtaRoute", "x:TracingStore", "x:MetricsStore"])
            expect(s.sim.stored(t), t).toEqual(fresh[t]);
        expect(s.sim.stored("x:BlobStore", "singleton")?.["@type"]).toBe("Default");
        expect(s.sim.stored("x:InMemoryStore", "singleton")?.["@type"]).toBe("Default");
        // x:SystemSettings was never stored before: its required defaultDomainId has no earlier value
        // to go back to, so the domain (with its DKIM keys) and the ACME provider it uses stay
        expect(s.sim.stored("x:SystemSettings", "singleton")?.defaultDomainId).toBe(domain);
        expect(s.sim.stored("x:Domain", domain)).toBeDefined();
        expect(s.sim.stored("x:AcmeProvider", acme)).toBeDefined();
        await expect
            .poll(() => s.host.stderr)
            .toMatch(
                new RegExp(
                    `x:Domain "${domainOf(stack).replace(/\./g, "\\.")}" \\(id "${domain}"\\) was kept on the server: still referenced by x:SystemSettings \\(a setting Stalwart cannot clear\\)`,
                ),
            );
    });

    it("destroy with allowDataLoss where the settings had a default domain before: everything the deployment created goes, in an order the server accepts", async () => {
        await s.freshServer();
        const [[, set]] = (await jmap([
            [
                "x:Domain/set",
                { create: { d: { name: `before.${domainOf(stack)}`, dkimManagement: { "@type": "Manual" } } } },
                "d",
            ],
            [
                "x:SystemSettings/set",
                { update: { singleton: { defaultHostname: `mx.before.${domainOf(stack)}`, defaultDomainId: "#d" } } },
                "s",
            ],
        ])) as [[string, any, string]];
        const earlier = String(set.created.d.id);
        const fresh = s.stored();
        const engine = new EngineModel(s.host);
        await engine.up(s.program(s.specs(stack), { allowDataLoss: true }));
        const domain = engine.object("domain")!.objectId;
        expect(dkimOf(domain)).toHaveLength(2);
        await engine.destroy();

        expect(s.sim.stored("x:SystemSettings", "singleton")).toMatchObject({
            defaultDomainId: earlier,
            defaultHostname: `mx.before.${domainOf(stack)}`,
        });
        expect(s.sim.stored("x:Domain")).toEqual(fresh["x:Domain"]);
        expect(dkimOf(domain), "what Stalwart made for the domain went with it").toEqual([]);
        expect(s.sim.stored("x:AcmeProvider")).toEqual({});
        expect(s.sim.stored("x:NetworkListener")).toEqual(fresh["x:NetworkListener"]);
        expect(s.sim.stored("x:Tracer")).toEqual(fresh["x:Tracer"]);
    });
});

/** A request straight to the simulator, as an operator's earlier setup would have written. */
async function jmap(calls: [string, JsonObject, string][]): Promise<[string, unknown, string][]> {
    const r = await fetch(`${s.sim.url}/jmap`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: s.sim.basicAuthHeader },
        body: JSON.stringify({ using: ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"], methodCalls: calls }),
    });
    return ((await r.json()) as { methodResponses: [string, unknown, string][] }).methodResponses;
}
