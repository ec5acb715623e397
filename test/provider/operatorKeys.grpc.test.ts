// The stack-config keys an operator sets after the containers (oidc, accounts, smarthost, tracing,
// stalwart.objects) and the automation key, each planned from a stack config and applied the way
// MailDeployment applies it: every provider serialized and run by the SDK's dynamic-provider host
// over gRPC (test/support/planDriver.ts) against the in-repo Stalwart simulator, which builds the
// OIDC directory by fetching discovery and JWKS over HTTP from a small local identity provider.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { argon2Verify } from "hash-wasm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSettings } from "../../components/config";
import { buildPlan, type Plan } from "../../components/plan";
import { ACME_DIRECTORIES } from "../../components/config/rules";
import { TAILNET_RANGES } from "../../components/topology";
import { type PlainObject, ProviderHost } from "../support/providerHost";
import { upPlan, type UpState } from "../support/planDriver";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart";
import { validRaw } from "../support/stackConfig";
import { NO_STALWART_ENV } from "../support/stalwartProviderHost";

const PASSWORDS = {
    alice: "correct-horse-battery-1",
    alice2: "another-horse-battery-2",
    relay: "relay-secret-password",
};
const CAROL_HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$n0IdBCZAqmmEkQsEMEUKw7JpPSQgkPsE4hRjxyrwgvA";
const FAST = { attempts: 3, baseDelayMs: 40, liveTimeoutMs: 10_000, discoverTimeoutMs: 2_000 };

let sim: StalwartSimulator;
let host: ProviderHost;
let idp: Server;
let issuer: string;
let idpUp = false;
let restartHook: Server;
let restartCommand: string[];

/** A minimal identity provider: discovery and JWKS while up, 503 while down. */
function startIdp(): Promise<void> {
    idp = createServer((req, res) => {
        const json = (body: unknown) =>
            res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
        if (!idpUp) return void res.writeHead(503).end("starting");
        if (req.url === "/application/o/stalwart/.well-known/openid-configuration") {
            return json({
                issuer,
                jwks_uri: `${issuer}jwks`,
                authorization_endpoint: `${issuer}authorize`,
                token_endpoint: `${issuer}token`,
                scopes_supported: ["openid", "email", "profile"],
            });
        }
        if (req.url === "/application/o/stalwart/jwks")
            return json({ keys: [{ kty: "RSA", kid: "k1", use: "sig", alg: "RS256", n: "sXch", e: "AQAB" }] });
        res.writeHead(404).end();
    });
    return new Promise((r) => idp.listen(0, "127.0.0.1", () => r()));
}

/** The stack config of these tests: every required key plus the keys under test. */
function planOf(edit: (raw: Record<string, any>) => void = () => {}): Plan {
    const raw = validRaw();
    raw.oidc = { issuerUrl: issuer, audience: "stalwart-webui", claimGroups: "groups" };
    raw.accounts = [
        {
            name: "alice",
            aliases: ["postmaster", "alice@other.test"],
            roles: ["admin"],
            quota: "1GB",
            password: PASSWORDS.alice,
        },
        { name: "bob", description: "signs in through the identity provider only" },
        { name: "carol", password: CAROL_HASH },
    ];
    raw.groups = [{ name: "team", aliases: ["all"], members: ["alice", "bob"] }];
    raw.smarthost = {
        host: "smtp.relay.example.com",
        port: 587,
        username: "relay-user",
        password: PASSWORDS.relay,
        tls: "starttls",
    };
    raw.tracing = { level: "trace" };
    raw.stalwart.objects = [
        { key: "spam-tag", objectType: "x:MtaRoute", properties: { "@type": "Local", name: "archive" } },
    ];
    edit(raw);
    return buildPlan(parseSettings(raw, "dev"));
}

const up = (plan: Plan, before: UpState = {}, on: ProviderHost = host) =>
    upPlan(on, plan, before, { restartCommand, readiness: FAST, discoverAddress: "postmaster@infinidim.net" });

/** Every /jmap body the simulator received, as text. */
const wire = () => JSON.stringify(sim.jmapLog);

beforeAll(async () => {
    await startIdp();
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/application/o/stalwart/`;
    sim = await startStalwartSimulator({
        fetchIdps: true,
        restartDownMs: 150,
        reachableAcmeDirectories: [ACME_DIRECTORIES.staging],
    });
    restartHook = createServer((_req, res) => void sim.restart().then(() => res.end("ok")));
    await new Promise<void>((r) => restartHook.listen(0, "127.0.0.1", r));
    const hookUrl = `http://127.0.0.1:${(restartHook.address() as AddressInfo).port}/`;
    restartCommand = [
        process.execPath,
        "-e",
        `fetch(${JSON.stringify(hookUrl)}).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(2))`,
    ];
    const [user, password] = sim.adminCredentials.split(":") as [string, string];
    // the first up signs in as the recovery admin (stalwart:user/password)
    host = await ProviderHost.start({
        config: { "stalwart:url": sim.url, "stalwart:user": user, "stalwart:password": password },
        env: NO_STALWART_ENV,
    });
}, 60_000);

afterAll(async () => {
    await host?.stop();
    await sim?.close();
    await new Promise((r) => idp?.close(r));
    await new Promise((r) => restartHook?.close(r));
});

describe("operator keys through the gRPC host against the simulator", () => {
    let state: UpState = {};
    let plan: Plan;
    let ids: Record<string, string> = {};

    it("oidc: with the identity provider down, the up fails naming the issuer and writes no binding", async () => {
        plan = planOf();
        sim.resetCounters();
        const err = (await up(plan).then(
            () => undefined,
            (e) => e,
        )) as Error & { state: UpState };
        expect(err?.message).toContain(`the identity provider ${issuer} never became ready`);
        expect(err.message).toContain("x:Authentication.directoryId was not changed");
        expect(sim.stored("x:Authentication", "singleton")?.directoryId ?? null).toBeNull();
        expect(wire()).not.toContain("x:Authentication/set");
        state = err.state;
    }, 60_000);

    it("oidc: once it is up, the next up binds only after a reload built the directory, and /api/discover shows the issuer", async () => {
        idpUp = true;
        sim.resetCounters();
        const r = await up(plan, state);
        state = r.state;
        ids = r.ids;
        expect(r.convergence.directoryBinding).toBe("issuer");
        const dir = ids["oidc-directory"]!;
        expect(sim.stored("x:Authentication", "singleton")?.directoryId).toBe(dir);
        expect(sim.running().defaultDirectoryId).toBe(dir);
        // order on the wire: a ReloadSettings that succeeded (the gate) comes before the one binding write
        const calls = sim.jmapLog.flatMap((b) => b.methodCalls.map((c) => c[0]));
        const bind = calls.indexOf("x:Authentication/set");
        expect(bind).toBeGreaterThan(calls.indexOf("x:Action/set"));
        expect(calls.filter((c) => c === "x:Authentication/set")).toHaveLength(1);
        const written = sim.jmapLog.flatMap((b) => b.methodCalls).find((c) => c[0] === "x:Authentication/set")![1];
        expect(written).toEqual({ update: { singleton: { directoryId: dir } } });
        // the directory as the plan says: issuer, the one audience, the groups claim
        expect(sim.stored("x:Directory", dir)).toMatchObject({
            "@type": "Oidc",
            issuerUrl: issuer,
            requireAudience: "stalwart-webui",
            claimGroups: "groups",
        });
    }, 60_000);

    it("oidc: a binding that reads back empty after the restart of an up is bound and verified again in that up", async () => {
        const more = planOf((raw) => (raw.edge.ports = [...raw.edge.ports, 995]));
        sim.loseBindingOnRestart(1);
        sim.resetCounters();
        const r = await up(more, state);
        expect(r.convergence.restarted).toBe(true);
        expect(r.convergence.directoryBinding).toBe("issuer");
        expect(sim.stored("x:Authentication", "singleton")?.directoryId).toBe(ids["oidc-directory"]);
        expect(sim.running().defaultDirectoryId).toBe(ids["oidc-directory"]);
        expect(sim.counters.byMethod["x:Authentication/set"]).toBe(1);
        // the passwords did not change: nothing was hashed again
        expect(r.changed.filter((n) => n.startsWith("hash-"))).toEqual([]);
        state = r.state;
        plan = more;
    }, 60_000);

    it("accounts: the stored hash verifies the password with the same argon2 library; an $argon2id$ value is stored as given", async () => {
        const alice = sim.stored("x:Account", ids["account-alice@infinidim.net"]!)!;
        const secret = (alice.credentials as PlainObject)["0"] as PlainObject;
        expect(secret["@type"]).toBe("Password");
        expect(String(secret.secret)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
        expect(await argon2Verify({ password: PASSWORDS.alice, hash: String(secret.secret) })).toBe(true);
        expect(
            (
                (sim.stored("x:Account", ids["account-carol@infinidim.net"]!)!.credentials as PlainObject)[
                    "0"
                ] as PlainObject
            ).secret,
        ).toBe(CAROL_HASH);
        // an OIDC principal's account: created before its first sign-in, without a password
        expect(sim.stored("x:Account", ids["account-bob@infinidim.net"]!)!.credentials).toEqual({});
        expect(alice).toMatchObject({
            name: "alice",
            roles: { "@type": "Admin" },
            quotas: { maxDiskQuota: 1_000_000_000 },
        });
        // groups: a Group account the members join through their memberGroupIds
        const team = ids["group-team@infinidim.net"]!;
        expect(sim.stored("x:Account", team)).toMatchObject({ "@type": "Group", name: "team" });
        expect(alice.memberGroupIds).toEqual({ [team]: true });
        expect(sim.stored("x:Account", ids["account-bob@infinidim.net"]!)!.memberGroupIds).toEqual({ [team]: true });
        const aliases = Object.values(alice.aliases as PlainObject) as PlainObject[];
        expect(aliases.map((a) => [a.name, a.domainId])).toEqual([
            ["postmaster", ids.domain],
            ["alice", ids["domain-other.test"]],
        ]);
        // the plaintext reached neither the server nor the state
        for (const text of [wire(), JSON.stringify(state), JSON.stringify(sim.stored("x:Account"))])
            expect(text).not.toContain(PASSWORDS.alice);
    });

    it("accounts: a changed password is hashed again, and only that one", async () => {
        const changedPlan = planOf((raw) => {
            raw.edge.ports = [...raw.edge.ports, 995];
            raw.accounts[0].password = PASSWORDS.alice2;
        });
        const r = await up(changedPlan, state);
        expect(r.changed.filter((n) => n.startsWith("hash-"))).toEqual([
            "hash-account-alice@infinidim.net-credentials.0.secret",
        ]);
        const hash = String(
            (
                (sim.stored("x:Account", ids["account-alice@infinidim.net"]!)!.credentials as PlainObject)[
                    "0"
                ] as PlainObject
            ).secret,
        );
        expect(await argon2Verify({ password: PASSWORDS.alice2, hash })).toBe(true);
        expect(await argon2Verify({ password: PASSWORDS.alice, hash })).toBe(false);
        expect(JSON.stringify(r.state)).not.toContain(PASSWORDS.alice2);
        state = r.state;
        plan = changedPlan;
    }, 60_000);

    it("smarthost: a Relay route with the password as the container's env variable, TLS required, and remote mail routed through it", () => {
        const route = Object.values(sim.stored("x:MtaRoute")).find((o) => o.name === "smarthost")!;
        expect(route).toMatchObject({
            "@type": "Relay",
            address: "smtp.relay.example.com",
            port: 587,
            implicitTls: false,
            authUsername: "relay-user",
            authSecret: { "@type": "EnvironmentVariable", variableName: "STALWART_SMARTHOST_PASSWORD" },
        });
        expect(Object.values(sim.stored("x:MtaTlsStrategy")).find((o) => o.name === "smarthost")).toMatchObject({
            startTls: "require",
        });
        expect(sim.stored("x:MtaOutboundStrategy", "singleton")).toMatchObject({
            route: { match: { "0": { if: "is_local_domain(rcpt_domain)", then: "'local'" } }, else: "'smarthost'" },
            tls: { else: "'smarthost'" },
        });
        // the value travels as the container's env, never to the server or into state
        expect(plan.mailbox.stalwart.env.STALWART_SMARTHOST_PASSWORD).toEqual({ secret: "smarthostPassword" });
        for (const text of [wire(), JSON.stringify(state), JSON.stringify(sim.stored("x:MtaRoute"))])
            expect(text).not.toContain(PASSWORDS.relay);
    });

    it("tracing and stalwart.objects: the stdout tracer at the configured level, the extra object as given", () => {
        expect(Object.values(sim.stored("x:Tracer")).find((t) => t["@type"] === "Stdout")).toMatchObject({
            level: "trace",
        });
        expect(sim.stored("x:MtaRoute", ids["spam-tag"]!)).toMatchObject({ "@type": "Local", name: "archive" });
    });

    it("dnsRecords: MX, SPF and the DKIM keys Stalwart generated, read back for each managed domain", () => {
        const records = state["dns-records"]!.outs.records as Record<
            string,
            { name: string; type: string; value: string; purpose: string }[]
        >;
        expect(Object.keys(records).sort()).toEqual(["infinidim.net", "other.test"]);
        const main = records["infinidim.net"]!;
        expect(main.find((r) => r.purpose === "mx")).toMatchObject({ name: "infinidim.net", type: "MX" });
        expect(main.find((r) => r.purpose === "spf")?.value).toMatch(/^v=spf1 /);
        const dkim = main.filter((r) => r.purpose === "dkim");
        expect(dkim).toHaveLength(2);
        for (const r of dkim) expect(r.name).toMatch(/\._domainkey\.infinidim\.net$/);
    });

    it("the automation key: replaced permissions exactly as planned, usable from the tailnet only, and enough for the next up", async () => {
        const keyState = state["automation-key"]!;
        const secret = String(keyState.outs.createdSecret);
        expect(secret).toMatch(/^API_/);
        const stored = sim.stored("x:ApiKey", String(keyState.outs.objectId))!;
        const planned = plan.stalwart.operator!.automationKey.properties;
        expect(stored.permissions).toEqual(planned.permissions);
        expect(Object.keys(stored.allowedIps as PlainObject).sort()).toEqual([...TAILNET_RANGES].sort());
        expect(Object.keys(planned.permissions.permissions)).not.toContain("sysRoleCreate");
        // from this machine (127.0.0.1, outside the tailnet) the key is refused
        const probe = (key: string) =>
            fetch(`${sim.url}/jmap`, {
                method: "POST",
                headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
                body: JSON.stringify({
                    using: ["urn:stalwart:jmap"],
                    methodCalls: [["x:Tracer/get", { ids: null }, "t"]],
                }),
            });
        expect((await probe(secret)).status).toBe(401);
        // as if run from the tailnet: the hand-off's second up signs in with the key alone
        const id = String(keyState.outs.objectId);
        await fetch(`${sim.url}/jmap`, {
            method: "POST",
            headers: { authorization: sim.basicAuthHeader, "content-type": "application/json" },
            body: JSON.stringify({
                using: ["urn:stalwart:jmap"],
                methodCalls: [
                    [
                        "x:ApiKey/set",
                        {
                            accountId: ids["automation-account"],
                            update: {
                                [id]: { "allowedIps/127.0.0.0~18": true },
                            } /* ~1 is "/" in a JSON pointer: 127.0.0.0/8 */,
                        },
                        "k",
                    ],
                ],
            }),
        });
        const keyHost = await ProviderHost.start({
            config: { "stalwart:url": sim.url, "stalwart:token": secret },
            env: NO_STALWART_ENV,
        });
        try {
            const louder = planOf((raw) => {
                raw.edge.ports = [...raw.edge.ports, 995];
                raw.accounts[0].password = PASSWORDS.alice2;
                raw.tracing.level = "debug";
            });
            const r = await upPlan(keyHost, louder, state, {
                restartCommand,
                readiness: FAST,
                discoverAddress: "postmaster@infinidim.net",
                objectsOnly: true,
            });
            expect(r.convergence.reloads).toEqual(["ReloadSettings"]);
            expect(r.convergence.directoryBinding).toBe("issuer");
            // what it was not granted stays out of reach
            const refused = await fetch(`${sim.url}/jmap`, {
                method: "POST",
                headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
                body: JSON.stringify({
                    using: ["urn:stalwart:jmap"],
                    methodCalls: [["x:Role/set", { create: { r: { description: "not granted" } } }, "r"]],
                }),
            });
            const [name, args] = ((await refused.json()) as { methodResponses: [string, PlainObject, string][] })
                .methodResponses[0]!;
            expect([name, args.type]).toEqual(["error", "forbidden"]);
        } finally {
            await keyHost.stop();
        }
    }, 90_000);

    it("oidc removed: the binding is cleared first, so its directory can be destroyed (not objectIsLinked)", async () => {
        const without = planOf((raw) => {
            delete raw.oidc;
            raw.edge.ports = [...raw.edge.ports, 995];
            raw.accounts[0].password = PASSWORDS.alice2;
            raw.tracing.level = "debug";
        });
        const dir = ids["oidc-directory"]!;
        const r = await up(without, state);
        expect(r.convergence.directoryBinding).toBe("");
        expect(sim.stored("x:Authentication", "singleton")?.directoryId ?? null).toBeNull();
        // what the engine does after the up: delete the resource no longer in the program
        const kept = state["object-oidc-directory"]!;
        await host.delete(kept.id, kept.outs, {
            type: "pulumi-nodejs:dynamic/stalwart:Directory",
            name: "object-oidc-directory",
        });
        expect(sim.stored("x:Directory", dir)).toBeUndefined();
    }, 60_000);
});
