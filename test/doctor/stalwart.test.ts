/**
 * The checks that read Stalwart (health, version, listeners and PROXY trust, directory binding,
 * certificates, ACME renewals) and the recovery-admin check, against the in-repo simulator after
 * the plan's x:* objects were written into it: each passes on a converged server and fails (or
 * warns) when the server is put in the state the check exists to catch.
 */
import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DoctorTarget } from "../../components/doctor";
import { TABLE } from "../../components/stalwart/schema/table";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart";
import { call, createId, destroy, update } from "../support/stalwart/client";
import { converge, DOMAIN, fakeNetwork, HOSTNAME, run, target } from "./support";

const IDP = "https://id.example.org/realms/mail";
const SERVED_SHA = createHash("sha256").update(JSON.stringify(TABLE)).digest("hex");
const reload = (sim: StalwartSimulator) => call(sim, "x:Action/set", { create: { r1: { "@type": "ReloadSettings" } } });

let sim: StalwartSimulator;
let t: DoctorTarget;
const net = fakeNetwork();

beforeEach(async () => {
    sim = await startStalwartSimulator();
    t = target(sim);
    await converge(sim, t.plan);
});
afterEach(() => sim.close());

const listenerId = async (name: string): Promise<string> => {
    const all = await call(sim, "x:NetworkListener/get", { ids: null });
    return (all.list as { id: string; name: string }[]).find((l) => l.name === name)!.id;
};

describe("backend.stalwart-api", () => {
    it("passes when the management API's port answers", async () => {
        const r = (await run(t, net, ["backend.stalwart-api"]))["backend.stalwart-api"]!;
        expect(r.status).toBe("ok");
        expect(r.detail).toMatch(/^Stalwart management API 127\.0\.0\.1 port \d+ answers/);
    });

    it("fails naming the key when the management URL is not a URL", async () => {
        const bad = target(sim);
        bad.stalwart = { ...bad.stalwart, url: "ts-stalwart:8080" };
        const r = (await run(bad, net, ["backend.stalwart-api"]))["backend.stalwart-api"]!;
        expect(r).toMatchObject({
            status: "fail",
            detail: "Stalwart management API address unknown: ts-stalwart:8080 is not an http(s) URL",
        });
        expect(r.fix).toMatch(/^set stalwart:url/);
    });
});

describe("stalwart.health", () => {
    it("passes when /healthz/live and /healthz/ready answer 200", async () => {
        expect((await run(t, net, ["stalwart.health"]))["stalwart.health"]).toMatchObject({ status: "ok" });
    });

    it("fails when ready answers 503, pointing at the data store", async () => {
        sim.setReady(false);
        const r = (await run(t, net, ["stalwart.health"]))["stalwart.health"]!;
        expect(r).toMatchObject({ status: "fail", detail: "/healthz/ready answered HTTP 503" });
        expect(r.fix).toMatch(/data store.*config\.json/);
    });

    it("fails when nothing answers", async () => {
        await sim.close();
        const r = (await run(t, net, ["stalwart.health"]))["stalwart.health"]!;
        expect(r.status).toBe("fail");
        expect(r.detail).toMatch(/healthz\/live: ECONNREFUSED/);
        sim = await startStalwartSimulator(); // afterEach closes it
    });
});

describe("stalwart.version", () => {
    it("passes when the server serves the registry schema of the pinned release", async () => {
        const r = (await run(t, net, ["stalwart.version"], { knownSchemas: { "v0.16.18": SERVED_SHA } }))[
            "stalwart.version"
        ]!;
        expect(r).toMatchObject({ status: "ok" });
        expect(r.detail).toContain("v0.16.18");
    });

    it("fails when the schema is another build's, naming the release it recognises", async () => {
        const other = (
            await run(t, net, ["stalwart.version"], {
                knownSchemas: { "v0.16.18": "0".repeat(64), "v0.16.17": SERVED_SHA },
            })
        )["stalwart.version"]!;
        expect(other).toMatchObject({ status: "fail" });
        expect(other.detail).toMatch(/pins v0\.16\.18 but the server serves v0\.16\.17's registry schema/);
        const unknown = (await run(t, net, ["stalwart.version"], { knownSchemas: { "v0.16.18": "0".repeat(64) } }))[
            "stalwart.version"
        ]!;
        expect(unknown.status).toBe("fail");
        expect(unknown.fix).toMatch(/docker -H .* inspect/);
    });

    it("warns when the pinned release is one it cannot recognise, or the tag moves", async () => {
        const older = target(sim, (raw) => (raw.stalwart.image = "stalwartlabs/stalwart:v0.16.17"));
        expect(
            (await run(older, net, ["stalwart.version"], { knownSchemas: { "v0.16.18": SERVED_SHA } }))[
                "stalwart.version"
            ],
        ).toMatchObject({ status: "warn" });
        const moving = target(sim, (raw) => (raw.stalwart.image = "stalwartlabs/stalwart:v0.16"));
        const r = (await run(moving, net, ["stalwart.version"], { knownSchemas: { "v0.16.18": SERVED_SHA } }))[
            "stalwart.version"
        ]!;
        expect(r).toMatchObject({ status: "warn" });
        expect(r.detail).toMatch(/serves v0\.16\.18's registry schema/);
    });

    it("fails naming the credentials when there are none", async () => {
        const none = target(sim);
        none.stalwart = {
            url: sim.url,
            source: "no credentials: neither STALWART_TOKEN nor STALWART_USER with STALWART_PASSWORD is set",
        };
        const r = (await run(none, net, ["stalwart.version"]))["stalwart.version"]!;
        expect(r).toMatchObject({ status: "fail" });
        expect(r.fix).toMatch(/STALWART_TOKEN/);
    });
});

describe("stalwart.listeners", () => {
    it("passes when every planned listener is stored as planned", async () => {
        const r = (await run(t, net, ["stalwart.listeners"]))["stalwart.listeners"]!;
        expect(r.status).toBe("ok");
        expect(r.detail).toMatch(
            /^6 listeners stored as planned \(smtp \[::\]:25, .*https \[::\]:443\), each trusting PROXY headers from 100\.101\.102\.103\/32, fd7a:115c:a1e0::1234\/128 only$/,
        );
        // the test stack names the edge's tailnet addresses (edge.tailnetAddresses): the edge alone is trusted
    });

    it("fails naming what differs: bind, PROXY trust, a missing listener", async () => {
        await update(sim, "x:NetworkListener", await listenerId("smtp"), {
            bind: { "[::]:2525": true },
            overrideProxyTrustedNetworks: { "0.0.0.0/0": true },
        });
        await destroy(sim, "x:NetworkListener", await listenerId("imaps"));
        const r = (await run(t, net, ["stalwart.listeners"]))["stalwart.listeners"]!;
        expect(r.status).toBe("fail");
        expect(r.detail).toContain("smtp: bind [[::]:2525] (planned [[::]:25])");
        expect(r.detail).toContain(
            "smtp: overrideProxyTrustedNetworks [0.0.0.0/0] (planned [100.101.102.103/32, fd7a:115c:a1e0::1234/128])",
        );
        expect(r.detail).toContain("imaps: not stored");
        expect(r.fix).toMatch(/pulumi up/);
    });
});

describe("stalwart.proxy-trust-global", () => {
    it("passes while x:SystemSettings.proxyTrustedNetworks is empty", async () => {
        expect((await run(t, net, ["stalwart.proxy-trust-global"]))["stalwart.proxy-trust-global"]).toMatchObject({
            status: "ok",
        });
    });

    it("fails when a global list is set", async () => {
        await update(sim, "x:SystemSettings", "singleton", { proxyTrustedNetworks: { "100.64.0.0/10": true } });
        const r = (await run(t, net, ["stalwart.proxy-trust-global"]))["stalwart.proxy-trust-global"]!;
        expect(r.status).toBe("fail");
        expect(r.detail).toMatch(/is set \(100\.64\.0\.0\/10\).*8080 management listener/);
    });
});

describe("stalwart.directory", () => {
    const bindOidc = async () => {
        const dir = await createId(sim, "x:Directory", { "@type": "Oidc", description: "IdP", issuerUrl: IDP });
        await update(sim, "x:Authentication", "singleton", { directoryId: dir });
        return dir;
    };
    const withOidc = () => target(sim, (raw) => (raw.oidc = { issuerUrl: IDP, audience: "stalwart" }));

    it("passes without a default directory (internal authentication)", async () => {
        expect((await run(t, net, ["stalwart.directory"]))["stalwart.directory"]).toMatchObject({ status: "ok" });
    });

    it("passes when tailwart:oidc is set and /api/discover returns the IdP's issuer", async () => {
        await bindOidc();
        sim.setReachableIdp(IDP, true);
        expect((await reload(sim)).created.r1).toBeDefined();
        const r = (await run(withOidc(), net, ["stalwart.directory"]))["stalwart.directory"]!;
        expect(r).toMatchObject({ status: "ok" });
        expect(r.detail).toContain(`returns the IdP's issuer ${IDP}`);
    });

    it("fails when tailwart:oidc is set but the running server did not build the directory", async () => {
        await bindOidc();
        await sim.restart(); // the IdP is unreachable at boot: directory left out, directoryId kept
        const r = (await run(withOidc(), net, ["stalwart.directory"]))["stalwart.directory"]!;
        expect(r.status).toBe("fail");
        expect(r.detail).toMatch(
            /returns Stalwart's own metadata \(empty issuer\), not https:\/\/id\.example\.org\/realms\/mail \(tailwart:oidc\.issuerUrl\)/,
        );
        expect(r.fix).toMatch(/registry\.build-error.*ReloadSettings/);
    });

    it("without tailwart:oidc, checks a stored OIDC directoryId the same way", async () => {
        const dir = await bindOidc();
        await sim.restart();
        const r = (await run(t, net, ["stalwart.directory"]))["stalwart.directory"]!;
        expect(r.status).toBe("fail");
        expect(r.detail).toContain(`(x:Directory ${dir})`);
    });
});

describe("tls.certificate", () => {
    it("fails when no certificate covers the hostname", async () => {
        sim.issueCertificate({ subjectAlternativeNames: ["other.example.net"], notValidAfter: "2027-02-01T00:00:00Z" });
        const r = (await run(t, net, ["tls.certificate"]))["tls.certificate"]!;
        expect(r.status).toBe("fail");
        expect(r.detail).toBe(`no certificate covers ${HOSTNAME} (1 stored; stored: other.example.net)`);
        expect(r.fix).toMatch(/tls-alpn-01 needs port 443/);
    });

    it("passes with a certificate for the hostname (or a wildcard) valid beyond 14 days", async () => {
        sim.issueCertificate({ subjectAlternativeNames: [`*.${DOMAIN}`], notValidAfter: "2027-01-31T00:00:00Z" });
        const r = (await run(t, net, ["tls.certificate"]))["tls.certificate"]!;
        expect(r).toMatchObject({ status: "ok" });
        expect(r.detail).toMatch(/expires 2027-01-31 \(in 69 days\)/);
    });

    it("fails when the newest one expires within 14 days", async () => {
        sim.issueCertificate({ subjectAlternativeNames: [HOSTNAME], notValidAfter: "2026-11-30T00:00:00Z" });
        const r = (await run(t, net, ["tls.certificate"]))["tls.certificate"]!;
        expect(r.status).toBe("fail");
        expect(r.detail).toMatch(/expires 2026-11-30 \(in 7 days, under 14\)/);
    });
});

describe("tls.acme-orders", () => {
    const domainId = async () => (await call(sim, "x:Domain/query", { filter: { name: DOMAIN } })).ids[0] as string;

    it("passes with no failed renewal", async () => {
        sim.addTask({ "@type": "AcmeRenewal", domainId: await domainId() });
        expect((await run(t, net, ["tls.acme-orders"]))["tls.acme-orders"]).toMatchObject({
            status: "ok",
            detail: "no failed ACME renewal (1 pending)",
        });
    });

    it("fails on a renewal whose order went INVALID, naming the domain and the reason", async () => {
        sim.addTask({
            "@type": "AcmeRenewal",
            domainId: await domainId(),
            status: {
                "@type": "Failed",
                createdAt: "2026-11-20T00:00:00Z",
                failedAt: "2026-11-21T00:00:00Z",
                failedAttemptNumber: 10,
                failureReason: "Order status is INVALID",
            },
        });
        const r = (await run(t, net, ["tls.acme-orders"]))["tls.acme-orders"]!;
        expect(r.status).toBe("fail");
        expect(r.detail).toBe(`ACME renewal ${DOMAIN}: failed, Order status is INVALID`);
        expect(r.fix).toMatch(/postgres\.one-instance/);
    });

    it("warns on a renewal being retried for another reason", async () => {
        sim.addTask({
            "@type": "AcmeRenewal",
            domainId: await domainId(),
            status: {
                "@type": "Retry",
                attemptNumber: 2,
                due: "2026-11-23T00:00:00Z",
                failureReason: "Connection timed out",
            },
        });
        expect((await run(t, net, ["tls.acme-orders"]))["tls.acme-orders"]).toMatchObject({ status: "warn" });
    });
});

describe("stalwart.recovery-admin", () => {
    it("passes when the stack sets no recovery admin", async () => {
        expect((await run(t, net, ["stalwart.recovery-admin"]))["stalwart.recovery-admin"]).toMatchObject({
            status: "ok",
        });
    });

    it("warns while it is still set, encrypted or not, without showing it", async () => {
        const clear = target(sim, (raw) => (raw.stalwart.recoveryAdmin = "admin:hunter2-long-secret"));
        const encrypted = target(sim, (raw) => (raw.stalwart.recoveryAdmin = { secure: "AAABAJ..." }));
        for (const stack of [clear, encrypted]) {
            const r = (await run(stack, net, ["stalwart.recovery-admin"]))["stalwart.recovery-admin"]!;
            expect(r.status).toBe("warn");
            expect(JSON.stringify(r)).not.toContain("hunter2");
        }
    });
});
