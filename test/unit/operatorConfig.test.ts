// The operator keys (oidc, accounts, smarthost, tracing, stalwart.objects) from stack config to
// plan: what each becomes, what is refused with the key and the fix, and what only warns.
import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings, Secret } from "../../components/config";
import { parseSize } from "../../components/config/schema";
import { buildPlan, type Plan } from "../../components/plan";
import { automationPermissions } from "../../components/plan/automationKey";
import { formatPlan } from "../../components/plan/report";
import { validRaw } from "../support/stackConfig";

const ISSUER = "https://id.infinidim.net/application/o/stalwart/";

function raw(edit: (r: Record<string, any>) => void): Record<string, any> {
    const r = validRaw();
    edit(r);
    return r;
}

/** The issues of a config refused by parseSettings or, past it, by buildPlan. */
function issuesOf(r: Record<string, unknown>): { path: string; message: string }[] {
    try {
        buildPlan(parseSettings(r, "dev"));
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues;
    }
    throw new Error("expected a ConfigError");
}

function expectIssue(r: Record<string, unknown>, path: string, message: RegExp) {
    const issues = issuesOf(r);
    const hit = issues.find((i) => i.path === path && message.test(i.message));
    expect(hit, `no issue at ${path} matching ${message}; got ${JSON.stringify(issues)}`).toBeDefined();
    // every message names its key (a list's entry by its index)
    expect(hit!.message).toContain(path.split(/[.[]/)[0]);
}

const planOf = (r: Record<string, unknown>): Plan => buildPlan(parseSettings(r, "dev"));
const warningsOf = (r: Record<string, unknown>) => parseSettings(r, "dev").warnings;
const spec = (plan: Plan, key: string) => plan.stalwart.objects.find((o) => o.key === key);

describe("oidc", () => {
    it("becomes an Oidc x:Directory with the one audience, bound by the convergence rather than by a spec", () => {
        const plan = planOf(raw((r) => (r.oidc = { issuerUrl: ISSUER, audience: "stalwart-webui", scopes: ["openid", "email", "profile"], usernameDomain: "Infinidim.NET" })));
        expect(spec(plan, "oidc-directory")).toMatchObject({
            objectType: "x:Directory",
            properties: { "@type": "Oidc", issuerUrl: ISSUER, requireAudience: "stalwart-webui", requireScopes: { openid: true, email: true, profile: true }, usernameDomain: "infinidim.net" },
        });
        expect(plan.stalwart.objects.some((o) => o.objectType === "x:Authentication")).toBe(false);
        expect(plan.stalwart.operator!.oidc).toMatchObject({ directoryKey: "oidc-directory", webuiAudienceAccepted: true });
        expect(plan.stalwart.operator!.oidc!.webui.redirectUris).toContain("https://mail.infinidim.net/account/oauth/callback");
    });

    it("refuses an issuer that is not a URL, and an unknown key", () => {
        expectIssue(raw((r) => (r.oidc = { issuerUrl: "id.infinidim.net", audience: "x" })), "oidc.issuerUrl", /issuer URL/);
        expectIssue(raw((r) => (r.oidc = { issuerUrl: ISSUER, audience: "x", clientId: "bulwark" })), "oidc.clientId", /unknown key/);
        expectIssue(raw((r) => (r.oidc = { issuerUrl: ISSUER })), "oidc.audience", /required/);
    });

    it("warns when the web UI's tokens cannot carry the audience, and for a plain-http issuer", () => {
        const w = warningsOf(raw((r) => (r.oidc = { issuerUrl: "http://id.test/o/bulwark/", audience: "bulwark" })));
        expect(w.find((i) => i.path === "oidc.audience")?.message).toMatch(/stalwart-webui.*audience mapper/);
        expect(w.find((i) => i.path === "oidc.issuerUrl")?.message).toMatch(/plain http/);
        expect(warningsOf(raw((r) => (r.oidc = { issuerUrl: ISSUER, audience: "stalwart-webui" })))).toEqual([]);
        expect(formatPlan(planOf(raw((r) => (r.oidc = { issuerUrl: ISSUER, audience: "bulwark" }))))).toMatch(/WARNING: its tokens carry aud=stalwart-webui, not bulwark/);
    });
});

describe("accounts", () => {
    it("become User accounts: local part, aliases in their domains (an extra x:Domain where needed), roles, quota, a password to hash", () => {
        const plan = planOf(raw((r) => (r.accounts = [{ name: "Alice", aliases: ["postmaster", "a@other.test"], roles: ["Admin"], quota: "10GB", password: "correct-horse-battery" }, { name: "ops@other.test", roles: ["user"] }])));
        const alice = spec(plan, "account-alice@infinidim.net")!;
        expect(alice.properties).toEqual({
            "@type": "User",
            name: "alice",
            aliases: { "0": { name: "postmaster" }, "1": { name: "a" } },
            roles: { "@type": "Admin" },
            quotas: { maxDiskQuota: 10_000_000_000 },
            credentials: { "0": { "@type": "Password" } },
        });
        expect(alice.refs).toEqual({ domainId: "domain", "aliases.0.domainId": "domain", "aliases.1.domainId": "domain-other.test" });
        expect(alice.passwords!["credentials.0.secret"]).toBeInstanceOf(Secret);
        expect(spec(plan, "domain-other.test")).toMatchObject({ objectType: "x:Domain", properties: { name: "other.test" } });
        expect(spec(plan, "account-ops@other.test")!.refs).toEqual({ domainId: "domain-other.test" });
        // nowhere in the printed plan or its JSON
        expect(formatPlan(plan)).not.toContain("correct-horse-battery");
        expect(JSON.stringify(plan)).not.toContain("correct-horse-battery");
        expect(formatPlan(plan)).toContain("credentials.0.secret=<argon2id hash of the password>");
    });

    it("an account without a password has no credentials (an OIDC user, made before its first sign-in)", () => {
        const bob = spec(planOf(raw((r) => (r.accounts = [{ name: "bob" }]))), "account-bob@infinidim.net")!;
        expect(bob.properties).toEqual({ "@type": "User", name: "bob" });
        expect(bob.passwords).toBeUndefined();
    });

    it("refuses what Stalwart would refuse or store wrong", () => {
        const one = (a: Record<string, unknown>) => raw((r) => (r.accounts = [a]));
        expectIssue(one({ name: "al ice" }), "accounts", /accounts\[0\]\.name "al ice" is not a mailbox name/);
        expectIssue(one({ name: "x", password: "$2b$10$abcdefghijklmnopqrstuv" }), "accounts", /looks like a 2b hash; only \$argon2id\$/);
        expectIssue(one({ name: "x", password: "$argon2id$v=19$broken" }), "accounts", /not a whole argon2id hash/);
        expectIssue(one({ name: "x", password: "short" }), "accounts", /8 to 128 characters/);
        expectIssue(one({ name: "x", roles: ["admin", "user"] }), "accounts", /give one of user or admin/);
        expectIssue(one({ name: "tailwart-automation" }), "accounts", /keeps for its API key/);
        expectIssue(one({ name: "x", quota: "lots" }), "accounts.quota", /must be a size/);
        expectIssue(
            raw((r) => (r.accounts = [{ name: "a", aliases: ["info"] }, { name: "info" }])),
            "accounts",
            /accounts\[1\] uses info@infinidim.net, which accounts\[0\] already has/,
        );
    });

    it("an encrypted password (an offline plan) is planned without being read", () => {
        const plan = planOf(raw((r) => (r.accounts = [{ name: "x", password: { secure: "v1:abc" } }])));
        expect((spec(plan, "account-x@infinidim.net")!.passwords!["credentials.0.secret"] as Secret).encrypted).toBe(true);
    });

    it("warns that a password is never accepted once OIDC is the default directory", () => {
        const w = warningsOf(raw((r) => {
            r.oidc = { issuerUrl: ISSUER, audience: "stalwart-webui" };
            r.accounts = [{ name: "x", password: "correct-horse-battery" }];
        }));
        expect(w.map((i) => i.message).join("\n")).toMatch(/accounts\[0\]\.password is set while oidc .* app passwords/);
    });

    it("warns when the stack file holds a password in clear, not when it is encrypted or handed over by the engine as a secret", () => {
        const clear = warningsOf(raw((r) => (r.accounts = [{ name: "x", password: "correct-horse-battery" }])));
        expect(clear.map((w) => w.message).join("\n")).toMatch(/accounts\[0\]\.password is in clear text .*--secret --path 'tailwart:accounts\[0\]\.password'/);
        expect(warningsOf(raw((r) => (r.accounts = [{ name: "x", password: { secure: "v1:abc" } }])))).toEqual([]);
        expect(warningsOf(raw((r) => (r.accounts = [{ name: "x", password: new Secret("correct-horse-battery") }])))).toEqual([]);
    });

    it("sizes: bytes, SI and binary units", () => {
        expect([parseSize("2048"), parseSize("10GB"), parseSize("512 MiB"), parseSize("1.5k"), parseSize("lots")]).toEqual([2048, 10_000_000_000, 536_870_912, 1500, undefined]);
    });
});

describe("groups", () => {
    it("become Group accounts, listed before the users, whose memberGroupIds each member's ref fills", () => {
        const plan = planOf(
            raw((r) => {
                r.accounts = [{ name: "alice" }, { name: "bob" }];
                r.groups = [{ name: "team", aliases: ["all"], members: ["alice", "bob@infinidim.net"] }, { name: "ops", members: ["alice"] }];
            }),
        );
        const keys = plan.stalwart.objects.map((o) => o.key);
        expect(spec(plan, "group-team@infinidim.net")).toMatchObject({ objectType: "x:Account", properties: { "@type": "Group", name: "team", aliases: { "0": { name: "all" } } } });
        expect(keys.indexOf("group-ops@infinidim.net")).toBeLessThan(keys.indexOf("account-alice@infinidim.net"));
        expect(spec(plan, "account-alice@infinidim.net")!.refs).toEqual({ domainId: "domain", "memberGroupIds[0]": "group-team@infinidim.net", "memberGroupIds[1]": "group-ops@infinidim.net" });
        expect(spec(plan, "account-bob@infinidim.net")!.refs).toEqual({ domainId: "domain", "memberGroupIds[0]": "group-team@infinidim.net" });
    });

    it("refuses a member that is no account, and an address a user already has", () => {
        expectIssue(raw((r) => (r.groups = [{ name: "team", members: ["carol"] }])), "groups", /groups\[0\]\.members has "carol", which is no entry of accounts/);
        expectIssue(
            raw((r) => {
                r.accounts = [{ name: "info" }];
                r.groups = [{ name: "team", aliases: ["info"] }];
            }),
            "groups",
            /groups\[0\] uses info@infinidim.net, which accounts\[0\] already has/,
        );
    });
});

describe("smarthost", () => {
    const relay = (h: Record<string, unknown>) => raw((r) => (r.smarthost = { host: "smtp.relay.example.com", port: 587, tls: "starttls", ...h }));

    it("a Relay route whose password is the container's env variable, TLS required, remote delivery routed through it", () => {
        const plan = planOf(relay({ username: "u", password: "relay-pass-123", tls: "implicit", port: 465 }));
        expect(spec(plan, "smarthost-route")!.properties).toMatchObject({
            "@type": "Relay",
            name: "smarthost",
            address: "smtp.relay.example.com",
            port: 465,
            implicitTls: true,
            authUsername: "u",
            authSecret: { "@type": "EnvironmentVariable", variableName: "STALWART_SMARTHOST_PASSWORD" },
        });
        expect(spec(plan, "outbound-strategy")!.properties).toMatchObject({ route: { else: "'smarthost'" }, tls: { else: "'smarthost'" } });
        expect(plan.mailbox.stalwart.env.STALWART_SMARTHOST_PASSWORD).toEqual({ secret: "smarthostPassword" });
        expect(JSON.stringify(plan)).not.toContain("relay-pass-123");
    });

    it("without one, the outbound strategy is Stalwart's default (so removing the key undoes the relay)", () => {
        const plan = planOf(validRaw());
        expect(spec(plan, "outbound-strategy")!.properties.route).toEqual({ match: { "0": { if: "is_local_domain(rcpt_domain)", then: "'local'" } }, else: "'mx'" });
        expect(plan.mailbox.stalwart.env.STALWART_SMARTHOST_PASSWORD).toBeUndefined();
        expect(spec(plan, "smarthost-route")).toBeUndefined();
    });

    it("refuses a bare host, a credential half and an unknown tls; takes an IP address", () => {
        expectIssue(relay({ host: "relay" }), "smarthost.host", /not a full DNS name/);
        expectIssue(relay({ username: "u" }), "smarthost.password", /smarthost.username is set but smarthost.password is not/);
        expectIssue(relay({ password: "p" }), "smarthost.username", /needs both/);
        expectIssue(relay({ tls: "ssl" }), "smarthost.tls", /implicit .* or starttls/);
        expect(spec(planOf(relay({ host: "192.0.2.10" })), "smarthost-route")!.properties.address).toBe("192.0.2.10");
    });

    it("warns about port 25 and a TLS mode that does not fit the port", () => {
        expect(warningsOf(relay({ port: 25 })).map((w) => w.path)).toEqual(["smarthost.port"]);
        expect(warningsOf(relay({ port: 465 }))[0]!.message).toMatch(/use tls: implicit/);
    });
});

describe("tracing", () => {
    it("sets the stdout tracer's level, info by default", () => {
        expect(spec(planOf(validRaw()), "tracer-stdout")!.properties.level).toBe("info");
        expect(spec(planOf(raw((r) => (r.tracing = { level: "trace" }))), "tracer-stdout")!.properties.level).toBe("trace");
        expectIssue(raw((r) => (r.tracing = { level: "verbose" })), "tracing.level", /error, warn, info, debug, trace/);
    });
});

describe("stalwart.objects", () => {
    const objects = (...o: Record<string, unknown>[]) => raw((r) => (r.stalwart.objects = o));

    it("adds each object as given, refs filled with other objects' ids, schema secrets as Secrets", () => {
        const plan = planOf(
            objects({
                key: "archive-relay",
                objectType: "x:MtaRoute",
                properties: { "@type": "Relay", name: "archive", address: "archive.example.com", authSecret: { "@type": "Value", secret: "s3cret-value" } },
            }),
        );
        const o = spec(plan, "archive-relay")!;
        expect(o.source).toBe("stalwart.objects[0]");
        expect((o.properties.authSecret as Record<string, unknown>).secret).toBeInstanceOf(Secret);
        expect(formatPlan(plan)).not.toContain("s3cret-value");
        const refd = planOf(
            objects({ key: "alias-domain", objectType: "x:Domain", properties: { name: "alias.test", certificateManagement: { "@type": "Automatic" } }, refs: { "certificateManagement.acmeProviderId": "acme" } }),
        );
        expect(spec(refd, "alias-domain")!.refs).toEqual({ "certificateManagement.acmeProviderId": "acme" });
    });

    it("refuses an unknown type, a taken key, a dangling or later ref, a second owner of a singleton, and the binding oidc owns", () => {
        expectIssue(objects({ key: "t", objectType: "x:Tracr", properties: {} }), "stalwart.objects[0]", /x:Tracer/);
        expectIssue(objects({ key: "domain", objectType: "x:Tracer", properties: { "@type": "Stdout" } }), "stalwart.objects[0]", /key "domain" is also/);
        expectIssue(objects({ key: "d", objectType: "x:Domain", properties: { name: "d.test" }, refs: { "dnsManagement.dnsServerId": "nope" } }), "stalwart.objects[0]", /names "nope", which no object has/);
        expectIssue(
            objects({ key: "a", objectType: "x:Domain", properties: { name: "a.test" }, refs: { "certificateManagement.acmeProviderId": "b" } }, { key: "b", objectType: "x:AcmeProvider", properties: {} }),
            "stalwart.objects[0]",
            /which comes later; list "b" first/,
        );
        expectIssue(objects({ key: "s", objectType: "x:SystemSettings", properties: { maxConnections: 10 } }), "stalwart.objects[0]", /singleton that .* already manages/);
        expectIssue(objects({ key: "k", objectType: "x:ApiKey", properties: { description: "x" } }), "stalwart.objects[0]", /lives inside an account/);
        expectIssue(
            raw((r) => {
                r.oidc = { issuerUrl: ISSUER, audience: "stalwart-webui" };
                r.stalwart.objects = [{ key: "auth", objectType: "x:Authentication", properties: { directoryId: "b" } }];
            }),
            "stalwart.objects[0]",
            /bound by oidc/,
        );
    });

    it("fails the plan where the provider's check would fail the preview, naming the entry", () => {
        expectIssue(objects({ key: "t", objectType: "x:Tracer", properties: { "@type": "Stdout", level: "loud" } }), "stalwart.objects[0]", /Stalwart would refuse x:Tracer \(t\) at properties\.level/);
    });
});

describe("the automation key and the hand-off", () => {
    it("grants what the providers use and nothing else, from the tailnet only", () => {
        const plan = planOf(validRaw());
        const key = plan.stalwart.operator!.automationKey;
        expect(key.account).toBe("automation-account");
        expect(spec(plan, "automation-account")!.properties).toMatchObject({ "@type": "User", name: "tailwart-automation", roles: { "@type": "Admin" } });
        const granted = Object.keys(key.properties.permissions.permissions);
        for (const p of ["authenticate", "sysActionCreate", "actionReloadSettings", "sysTracerUpdate", "sysNetworkListenerCreate", "sysAuthenticationUpdate", "sysApiKeyGet"]) expect(granted).toContain(p);
        for (const p of ["impersonate", "sysRoleCreate", "sysTenantCreate", "sysBootstrapUpdate"]) expect(granted).not.toContain(p);
        expect(key.properties.allowedIps).toEqual({ "100.64.0.0/10": true, "fd7a:115c:a1e0::/48": true });
        expect(automationPermissions([{ key: "r", objectType: "x:MtaRoute", properties: {} }])).toContain("sysMtaRouteDestroy");
    });

    it("warns while the recovery admin is still set next to stalwart:token", () => {
        const r = raw((x) => (x.stalwart.recoveryAdmin = "admin:long-random-secret"));
        const handOff = (w: { message: string }[]) => w.filter((i) => /standing backdoor/.test(i.message));
        expect(handOff(warningsOf(r))).toEqual([]);
        const w = handOff(parseSettings({ ...r, "stalwart:token": "(set)" }, "dev").warnings);
        expect(w).toHaveLength(1);
        expect(w[0]!.message).toMatch(/^stalwart\.recoveryAdmin is still set while stalwart:token holds an API key.*remove it/);
    });
});

describe("DNS records the plan lists", () => {
    it("per managed domain: MX to the hostname, SPF, the DKIM keys, DMARC, TLS-RPT", () => {
        const plan = planOf(raw((r) => (r.accounts = [{ name: "a@other.test" }])));
        const records = plan.stalwart.operator!.dnsRecords;
        expect([...new Set(records.map((r) => r.domain))]).toEqual(["infinidim.net", "other.test"]);
        const main = records.filter((r) => r.domain === "infinidim.net");
        expect(main.map((r) => `${r.type} ${r.name}`)).toEqual([
            "MX infinidim.net",
            "TXT infinidim.net",
            "TXT <selector>._domainkey.infinidim.net",
            "TXT <selector>._domainkey.infinidim.net",
            "TXT _dmarc.infinidim.net",
            "TXT _smtp._tls.infinidim.net",
        ]);
        expect(main[0]!.value).toBe("10 mail.infinidim.net.");
    });
});
