/**
 * Every rule of the policy pack over the resources MailDeployment registers for the committed dev
 * and prod stacks, and prod with a dns-01 provider credential (recorded under mocks, inputs as the engine receives them): the deployment as
 * built passes the pack, and the data rule finds exactly the three data resources.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type RuleContext, RULES } from "../../policy/rules";
import type { ResourceView } from "../../policy/rules/resource";
import { DEFAULT_PROTECTED_STACKS } from "../../policy/rules/retention";
import { stackFactsFrom } from "../../policy/rules/stack";
import { installMocks, isSecretValue, type Registered, type Registry, resolved, settle } from "../components/harness";
import { loadStackConfig } from "../support/stackConfig";

const CF_TOKEN = "cf-api-token-value";
let registry: Registry;
const roots: Record<string, Registered> = {};

beforeAll(async () => {
    registry = await installMocks({ stack: "dev" });
    const { MailDeployment } = await import("../../components/deploy/deployment");
    const { parseSettings } = await import("../../components/config");
    for (const stack of ["dev", "prod", "dns01"]) {
        const raw = loadStackConfig(stack === "dns01" ? "prod" : stack) as Record<string, any>;
        raw.postgres.adminPassword = "pg-admin-secret";
        // a DNS provider credential: the one secret field the plan's x:* objects can carry
        if (stack === "dns01")
            raw.acme = {
                ...raw.acme,
                challenge: "dns-01",
                dnsProvider: { "@type": "Cloudflare", secret: { "@type": "Value", secret: CF_TOKEN } },
            };
        const d = new MailDeployment(`mx-${stack}`, {
            settings: parseSettings(raw, stack === "dns01" ? "prod" : stack),
        });
        await resolved(d.garage.bucketId);
        await settle(registry);
        roots[stack] = registry.one("tailwart:index:MailDeployment", `mx-${stack}`);
    }
});

function descendants(root: Registered): Registered[] {
    const kids = registry.all.filter((r) => r.parent === root.urn);
    return kids.flatMap((k) => [k, ...descendants(k)]);
}

/** What a validation sees: secrets already unwrapped by the SDK. */
const unsealed = (v: unknown): unknown =>
    isSecretValue(v)
        ? unsealed(v.value)
        : Array.isArray(v)
          ? v.map(unsealed)
          : typeof v === "object" && v !== null
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unsealed(x)]))
            : v;

/** Every violation the pack reports on a stack's resources, by policy; the secrets rule sees the secret envelopes (as its remediation does). */
function violations(stack: string, config: Record<string, unknown>, reveal = false): Record<string, string[]> {
    const ctx: RuleContext = {
        facts: stackFactsFrom({ PULUMI_STACK: stack, PULUMI_CONFIG: JSON.stringify(config) }),
        protectedStacks: DEFAULT_PROTECTED_STACKS,
        isSecret: isSecretValue,
    };
    const out: Record<string, string[]> = {};
    for (const r of descendants(roots[stack]!).filter((x) => x.custom)) {
        for (const [name, rule] of Object.entries(RULES)) {
            const props =
                name === "stalwart-secrets-not-in-clear" && !reveal
                    ? r.inputs
                    : (unsealed(r.inputs) as Record<string, unknown>);
            const view: ResourceView = { type: r.type, name: r.name, props, opts: { protect: false } };
            const found = rule.check(view, ctx);
            if (found.length > 0) out[name] = [...(out[name] ?? []), ...found];
        }
    }
    return out;
}

describe("the policy pack over MailDeployment", () => {
    it("registers what the rules look at: x:* objects, containers with their roles, the data resources", () => {
        const types = new Set(descendants(roots.prod!).map((r) => r.type));
        for (const t of [
            "docker:index/container:Container",
            "docker:index/volume:Volume",
            "docker:index/remoteImage:RemoteImage",
            "docker:index/image:Image",
            "postgresql:index/database:Database",
            "pulumi-nodejs:dynamic/garage:BucketGrant",
            "pulumi-nodejs:dynamic/stalwart:NetworkListener",
            "pulumi-nodejs:dynamic/stalwart:BlobStore",
        ]) {
            expect(types, t).toContain(t);
        }
    });

    it.each(["dev", "prod", "dns01"])("finds nothing wrong with the %s deployment", (stack) => {
        expect(violations(stack, {})).toEqual({});
    });

    it("sends every schema secret field of prod as a reference: nothing is in clear even with the secret envelopes stripped", () => {
        expect(violations("prod", {}, true)).toEqual({});
    });

    it("sees the DNS provider's credential sent as an EnvironmentVariable reference, and would report it as a clear Value", () => {
        const dns = descendants(roots.dns01!).find((r) => r.type === "pulumi-nodejs:dynamic/stalwart:DnsServer")!;
        const properties = unsealed(dns.inputs.properties) as Record<string, any>;
        expect(properties.secret).toEqual({
            "@type": "EnvironmentVariable",
            variableName: expect.stringMatching(/^STALWART_DNS_/),
        });
        expect(JSON.stringify(unsealed(dns.inputs))).not.toContain(CF_TOKEN);
        const rule = RULES["stalwart-secrets-not-in-clear"]!;
        const ctx: RuleContext = { facts: stackFactsFrom({}), protectedStacks: [], isSecret: isSecretValue };
        const withSecret = (secret: unknown): ResourceView => ({
            type: dns.type,
            name: dns.name,
            props: { ...dns.inputs, properties: { ...properties, secret } },
        });
        expect(rule.check(withSecret({ "@type": "Value", secret: CF_TOKEN }), ctx)).toEqual([
            expect.stringMatching(/^mx-dns01-settings-dns \(x:DnsServer\) sends properties.secret.secret in clear/),
        ]);
        expect(
            rule.check(
                withSecret({
                    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
                    value: { "@type": "Value", secret: CF_TOKEN },
                }),
                ctx,
            ),
        ).toEqual([]);
    });

    it("recognizes the registered resources: each invariant broken on one of them is reported", () => {
        const all = descendants(roots.prod!);
        const ctx: RuleContext = {
            facts: stackFactsFrom({ PULUMI_STACK: "prod" }),
            protectedStacks: DEFAULT_PROTECTED_STACKS,
            isSecret: isSecretValue,
        };
        const find = (type: string, pred: (i: Record<string, any>) => boolean) => {
            const r = all.find((x) => x.type === type && pred(unsealed(x.inputs) as Record<string, any>))!;
            return { type: r.type, name: r.name, inputs: unsealed(r.inputs) as Record<string, any> };
        };
        const broken = (
            rule: string,
            r: { type: string; name: string; inputs: Record<string, any> },
            edit: (i: Record<string, any>) => void,
        ) => {
            const props = structuredClone(r.inputs);
            edit(props);
            return RULES[rule]!.check({ type: r.type, name: r.name, props }, ctx);
        };
        const container = (name: string) => find("docker:index/container:Container", (i) => i.name === name);
        expect(broken("stalwart-container-isolated", container("stalwart"), (i) => (i.hostname = "mail"))).toHaveLength(
            1,
        );
        expect(
            broken("named-volumes-only", container("ts-stalwart"), (i) =>
                i.mounts.push({ type: "bind", source: "/srv", target: "/srv" }),
            ),
        ).toHaveLength(1);
        expect(
            broken(
                "edge-proxy-protocol-v2",
                container("caddy-l4"),
                (i) => (i.uploads[0].content = i.uploads[0].content.replaceAll('"v2"', '"v1"')),
            ),
        ).toHaveLength(6);
        expect(
            broken(
                "images-pinned",
                find("docker:index/remoteImage:RemoteImage", (i) => /stalwart/.test(i.name)),
                (i) => (i.name = "stalwartlabs/stalwart:latest"),
            ),
        ).toHaveLength(1);
        const smtp = find("pulumi-nodejs:dynamic/stalwart:NetworkListener", (i) => i.properties.name === "smtp");
        expect(
            broken("stalwart-proxy-trust-per-listener", smtp, (i) => (i.properties.bind = { "[::]:8080": true })),
        ).toHaveLength(1);
        expect(
            broken(
                "stalwart-proxy-trust-per-listener",
                find("pulumi-nodejs:dynamic/stalwart:SystemSettings", () => true),
                (i) => (i.properties.proxyTrustedNetworks = { "100.64.0.0/10": true }),
            ),
        ).toHaveLength(1);
    });

    it("refuses allowDataLoss on prod for exactly the mail volume, the database and the bucket, and lets dev have it", () => {
        const found = violations("prod", { "tailwart:allowDataLoss": "true" });
        expect(Object.keys(found)).toEqual(["data-retained"]);
        expect(found["data-retained"]!.map((m) => m.slice(0, m.indexOf(" would"))).sort()).toEqual([
            "bucket mx-prod-garage",
            "database mx-prod-postgres-database",
            "mail volume mx-prod-stalwart-stalwart-data",
        ]);
        expect(violations("dev", { "tailwart:allowDataLoss": "true" })).toEqual({});
    });
});
