// The operator keys from stack config to plan (smarthost, tracing, stalwart.objects, the automation
// key, the DNS records the plan lists). oidc, accounts and groups: operatorConfig.test.ts.
import { describe, expect, it } from "vitest";
import { parseSettings, Secret } from "../../components/config";
import { automationPermissions } from "../../components/plan/automationKey";
import { formatPlan } from "../../components/plan/report";
import { expectIssue, ISSUER, planOf, raw, spec, warningsOf } from "../support/operatorConfig";
import { validRaw } from "../support/stackConfig";

describe("smarthost", () => {
    const relay = (h: Record<string, unknown>) =>
        raw((r) => (r.smarthost = { host: "smtp.relay.example.com", port: 587, tls: "starttls", ...h }));

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
        expect(spec(plan, "outbound-strategy")!.properties).toMatchObject({
            route: { else: "'smarthost'" },
            tls: { else: "'smarthost'" },
        });
        expect(plan.mailbox.stalwart.env.STALWART_SMARTHOST_PASSWORD).toEqual({ secret: "smarthostPassword" });
        expect(JSON.stringify(plan)).not.toContain("relay-pass-123");
    });

    it("without one, the outbound strategy is Stalwart's default (so removing the key undoes the relay)", () => {
        const plan = planOf(validRaw());
        expect(spec(plan, "outbound-strategy")!.properties.route).toEqual({
            match: { "0": { if: "is_local_domain(rcpt_domain)", then: "'local'" } },
            else: "'mx'",
        });
        expect(plan.mailbox.stalwart.env.STALWART_SMARTHOST_PASSWORD).toBeUndefined();
        expect(spec(plan, "smarthost-route")).toBeUndefined();
    });

    it("refuses a bare host, a credential half and an unknown tls; takes an IP address", () => {
        expectIssue(relay({ host: "relay" }), "smarthost.host", /not a full DNS name/);
        expectIssue(
            relay({ username: "u" }),
            "smarthost.password",
            /smarthost.username is set but smarthost.password is not/,
        );
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
        expect(spec(planOf(raw((r) => (r.tracing = { level: "trace" }))), "tracer-stdout")!.properties.level).toBe(
            "trace",
        );
        expectIssue(
            raw((r) => (r.tracing = { level: "verbose" })),
            "tracing.level",
            /error, warn, info, debug, trace/,
        );
    });
});

describe("stalwart.objects", () => {
    const objects = (...o: Record<string, unknown>[]) => raw((r) => (r.stalwart.objects = o));

    it("adds each object as given, refs filled with other objects' ids, schema secrets as Secrets", () => {
        const plan = planOf(
            objects({
                key: "archive-relay",
                objectType: "x:MtaRoute",
                properties: {
                    "@type": "Relay",
                    name: "archive",
                    address: "archive.example.com",
                    authSecret: { "@type": "Value", secret: "s3cret-value" },
                },
            }),
        );
        const o = spec(plan, "archive-relay")!;
        expect(o.source).toBe("stalwart.objects[0]");
        expect((o.properties.authSecret as Record<string, unknown>).secret).toBeInstanceOf(Secret);
        expect(formatPlan(plan)).not.toContain("s3cret-value");
        const refd = planOf(
            objects({
                key: "alias-domain",
                objectType: "x:Domain",
                properties: { name: "alias.test", certificateManagement: { "@type": "Automatic" } },
                refs: { "certificateManagement.acmeProviderId": "acme" },
            }),
        );
        expect(spec(refd, "alias-domain")!.refs).toEqual({ "certificateManagement.acmeProviderId": "acme" });
    });

    it("refuses an unknown type, a taken key, a dangling or later ref, a second owner of a singleton, and the binding oidc owns", () => {
        expectIssue(objects({ key: "t", objectType: "x:Tracr", properties: {} }), "stalwart.objects[0]", /x:Tracer/);
        expectIssue(
            objects({ key: "domain", objectType: "x:Tracer", properties: { "@type": "Stdout" } }),
            "stalwart.objects[0]",
            /key "domain" is also/,
        );
        expectIssue(
            objects({
                key: "d",
                objectType: "x:Domain",
                properties: { name: "d.test" },
                refs: { "dnsManagement.dnsServerId": "nope" },
            }),
            "stalwart.objects[0]",
            /names "nope", which no object has/,
        );
        expectIssue(
            objects(
                {
                    key: "a",
                    objectType: "x:Domain",
                    properties: { name: "a.test" },
                    refs: { "certificateManagement.acmeProviderId": "b" },
                },
                { key: "b", objectType: "x:AcmeProvider", properties: {} },
            ),
            "stalwart.objects[0]",
            /which comes later; list "b" first/,
        );
        expectIssue(
            objects({ key: "s", objectType: "x:SystemSettings", properties: { maxConnections: 10 } }),
            "stalwart.objects[0]",
            /singleton that .* already manages/,
        );
        expectIssue(
            objects({ key: "k", objectType: "x:ApiKey", properties: { description: "x" } }),
            "stalwart.objects[0]",
            /lives inside an account/,
        );
        expectIssue(
            raw((r) => {
                r.oidc = { issuerUrl: ISSUER, audience: "stalwart-webui" };
                r.stalwart.objects = [
                    { key: "auth", objectType: "x:Authentication", properties: { directoryId: "b" } },
                ];
            }),
            "stalwart.objects[0]",
            /bound by oidc/,
        );
    });

    it("fails the plan where the provider's check would fail the preview, naming the entry", () => {
        expectIssue(
            objects({ key: "t", objectType: "x:Tracer", properties: { "@type": "Stdout", level: "loud" } }),
            "stalwart.objects[0]",
            /Stalwart would refuse x:Tracer \(t\) at properties\.level/,
        );
    });
});

describe("the automation key and the hand-off", () => {
    it("grants what the providers use and nothing else, from the tailnet only", () => {
        const plan = planOf(validRaw());
        const key = plan.stalwart.operator!.automationKey;
        expect(key.account).toBe("automation-account");
        expect(spec(plan, "automation-account")!.properties).toMatchObject({
            "@type": "User",
            name: "tailwart-automation",
            roles: { "@type": "Admin" },
        });
        const granted = Object.keys(key.properties.permissions.permissions);
        for (const p of [
            "authenticate",
            "sysActionCreate",
            "actionReloadSettings",
            "sysTracerUpdate",
            "sysNetworkListenerCreate",
            "sysAuthenticationUpdate",
            "sysApiKeyGet",
        ])
            expect(granted).toContain(p);
        for (const p of ["impersonate", "sysRoleCreate", "sysTenantCreate", "sysBootstrapUpdate"])
            expect(granted).not.toContain(p);
        expect(key.properties.allowedIps).toEqual({ "100.64.0.0/10": true, "fd7a:115c:a1e0::/48": true });
        expect(automationPermissions([{ key: "r", objectType: "x:MtaRoute", properties: {} }])).toContain(
            "sysMtaRouteDestroy",
        );
    });

    it("warns while the recovery admin is still set next to stalwart:token", () => {
        const r = raw((x) => (x.stalwart.recoveryAdmin = "admin:long-random-secret"));
        const handOff = (w: { message: string }[]) => w.filter((i) => /standing backdoor/.test(i.message));
        expect(handOff(warningsOf(r))).toEqual([]);
        const w = handOff(parseSettings({ ...r, "stalwart:token": "(set)" }, "dev").warnings);
        expect(w).toHaveLength(1);
        expect(w[0]!.message).toMatch(
            /^stalwart\.recoveryAdmin is still set while stalwart:token holds an API key.*remove it/,
        );
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
