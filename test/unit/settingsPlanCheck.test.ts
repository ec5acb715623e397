// The plan equals what the server stores and fails wherever preview would (issue 9 item 5, issue 8 item 6).
import { describe, expect, it } from "vitest";
import { ConfigError, parseSettings } from "../../components/config";
import { buildPlan } from "../../components/plan";
import { checkSettingsPlan } from "../../components/plan/checkSpecs";
import { stalwartSettingsPlan } from "../../components/plan/stalwartSettings";
import { loadStackConfig, validRaw } from "../support/stackConfig";

const issuesOf = (fn: () => unknown) => {
    try {
        fn();
    } catch (e) {
        if (e instanceof ConfigError) return e.issues;
        throw e;
    }
    return [];
};

describe("every x:* spec passes the provider's own check", () => {
    for (const stack of ["dev", "prod"]) {
        it(`the committed ${stack} plan: no failure, and at least the base objects`, () => {
            const specs = stalwartSettingsPlan(parseSettings(loadStackConfig(stack), stack));
            expect(specs.map((s) => s.objectType)).toEqual(
                expect.arrayContaining(["x:AcmeProvider", "x:Domain", "x:SystemSettings", "x:NetworkListener"]),
            );
            expect(checkSettingsPlan(specs)).toEqual([]);
        });
    }

    it("reports what the check refuses on the stack key the spec came from", () => {
        const specs = stalwartSettingsPlan(parseSettings(validRaw(), "dev"));
        const tracer = specs.find((s) => s.key === "tracer-stdout")!;
        const listener = specs.find((s) => s.key === "listener-smtp")!;
        const broken = [
            { ...tracer, properties: { ...tracer.properties, level: "loud" } },
            { ...listener, properties: { ...listener.properties, bindd: ["[::]:25"] } },
        ];
        const issues = checkSettingsPlan(broken);
        expect(issues.map((i) => i.path)).toEqual(["stalwart", "edge.ports"]);
        expect(issues[0]!.message).toMatch(/x:Tracer \(tracer-stdout\) at properties\.level/);
        expect(issues[1]!.message).toMatch(/bindd/);
    });

    it("fills refs and encrypted secrets with stand-ins the check accepts", () => {
        const raw = { ...validRaw(), redis: { url: { secure: "v1:abc" } } };
        expect(() => buildPlan(parseSettings(raw, "dev"))).not.toThrow();
    });

    it("buildPlan refuses a dnsProvider field Stalwart does not know, naming acme.dnsProvider", () => {
        const raw = {
            ...validRaw(),
            acme: {
                challenge: "dns-01",
                contact: ["a@infinidim.net"],
                dnsProvider: { "@type": "cloudflare", secret: "tok", zoneIdentifier: "x" },
            },
        };
        const issues = issuesOf(() => buildPlan(parseSettings(raw, "dev")));
        expect(issues).toHaveLength(1);
        expect(issues[0]!.path).toBe("acme.dnsProvider");
        expect(issues[0]!.message).toMatch(/zoneIdentifier/);
    });
});

describe("the plan holds what the server stores", () => {
    it("domain and hostname: lower case, no trailing dot, A-labels", () => {
        const s = parseSettings({ ...validRaw(), domain: "InfiniDim.NET.", hostname: "Mail.Infinidim.net." }, "dev");
        expect([s.domain, s.hostname]).toEqual(["infinidim.net", "mail.infinidim.net"]);
        const specs = stalwartSettingsPlan(s);
        expect(specs.find((x) => x.key === "domain")!.properties.name).toBe("infinidim.net");
        expect(specs.find((x) => x.key === "system")!.properties.defaultHostname).toBe("mail.infinidim.net");
        expect(
            parseSettings({ ...validRaw(), domain: "bücher.example", hostname: "mail.bücher.example" }, "dev").domain,
        ).toBe("xn--bcher-kva.example");
    });

    it("acme.contact needs at least one address", () => {
        const issues = issuesOf(() =>
            parseSettings({ ...validRaw(), acme: { challenge: "tls-alpn-01", contact: [] } }, "dev"),
        );
        expect(issues).toHaveLength(1);
        expect(issues[0]!.path).toBe("acme.contact");
        expect(issues[0]!.message).toMatch(/at least one/);
    });
});

describe("dns-01 as the README documents it", () => {
    // pulumi config set --secret --path tailwart:acme.dnsProvider.secret …: the engine hands the program clear text
    const raw = {
        ...validRaw(),
        acme: {
            challenge: "dns-01",
            contact: ["a@infinidim.net"],
            dnsProvider: { "@type": "cloudflare", secret: "cf-token-value" },
        },
    };

    it("passes the provider's check, with a description and the credential as a container env variable", () => {
        const plan = buildPlan(parseSettings(raw, "dev"));
        const dns = plan.stalwart.objects.find((o) => o.key === "dns")!;
        expect(dns.properties).toEqual({
            description: "tailwart dev: ACME dns-01 for infinidim.net",
            "@type": "Cloudflare",
            secret: { "@type": "EnvironmentVariable", variableName: "STALWART_DNS_SECRET" },
        });
        expect(plan.mailbox.stalwart.env["STALWART_DNS_SECRET"]).toEqual({ secret: "acmeDns.secret" });
        expect(JSON.stringify(plan)).not.toContain("cf-token-value");
    });

    it("keeps a field the schema holds as plain text a Secret written through the API", () => {
        const constellix = { "@type": "constellix", apiKey: "ck-value", secretKey: "sk-value" };
        const plan = buildPlan(parseSettings({ ...raw, acme: { ...raw.acme, dnsProvider: constellix } }, "dev"));
        const dns = plan.stalwart.objects.find((o) => o.key === "dns")!;
        expect(String(dns.properties.apiKey)).toBe("[secret]");
        expect(JSON.stringify(plan)).not.toMatch(/ck-value|sk-value/);
    });
});
