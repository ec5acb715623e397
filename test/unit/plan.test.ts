import { describe, expect, it } from "vitest";
import { parseSettings, Secret } from "../../components/config";
import { buildPlan } from "../../components/plan";
import { formatPlan } from "../../components/plan/report";
import { isSecretRef } from "../../components/plan/spec";
import { ACME_DIRECTORIES } from "../../components/config";
import { loadStackConfig, validRaw } from "../support/stackConfig";

const planFor = (stack: string) => buildPlan(parseSettings(loadStackConfig(stack), stack));

describe("buildPlan", () => {
    for (const stack of ["dev", "prod"]) {
        describe(`stack ${stack}`, () => {
            const plan = planFor(stack);

            it("runs Stalwart in the sidecar's network namespace with no ports, hostname or DNS", () => {
                const { stalwart, sidecar } = plan.mailbox;
                expect(stalwart.networkMode).toBe(`container:${sidecar.name}`);
                expect(stalwart.ports).toEqual([]);
                expect(stalwart.hostname).toBeUndefined();
                expect(sidecar.ports).toEqual([]);
            });

            it("keeps mail data on a named volume that survives destroy", () => {
                const data = plan.mailbox.stalwart.mounts.find((m) => m.containerPath === "/var/lib/stalwart");
                expect(data?.volume).toBe(plan.mailbox.volumes.find((v) => v.retain)?.name);
            });

            it("mounts the rendered config.json and passes secrets only as references", () => {
                const file = plan.mailbox.stalwart.files.find((f) => f.containerPath === "/etc/stalwart/config.json");
                expect(file?.content).toBe(plan.mailbox.configJson);
                expect(JSON.parse(plan.mailbox.configJson)).toMatchObject({
                    "@type": "PostgreSql",
                    authSecret: { "@type": "EnvironmentVariable" },
                });
                for (const name of ["STALWART_DB_PASSWORD", "STALWART_S3_ACCESS_KEY", "STALWART_S3_SECRET_KEY"]) {
                    expect(isSecretRef(plan.mailbox.stalwart.env[name]), name).toBe(true);
                }
            });

            it("publishes ports only on the edge and sends PROXY v2 to the mailbox FQDN on each", () => {
                const configured = (loadStackConfig(stack).edge as { ports: number[] }).ports;
                expect(plan.edge.caddy.ports.map((p) => p.external).sort((a, b) => a - b)).toEqual(
                    [...configured].sort((a, b) => a - b),
                );
                const servers = (JSON.parse(plan.edge.caddyJson) as any).apps.layer4.servers as Record<string, any>;
                for (const server of Object.values(servers)) {
                    const handler = server.routes[0].handle[0];
                    expect(handler.proxy_protocol).toBe("v2");
                    const port = server.listen[0].split(":").pop();
                    expect(handler.upstreams[0].dial).toEqual([`${plan.mailbox.fqdn}:${port}`]);
                }
                expect(Object.keys(servers)).toHaveLength(plan.edge.caddy.ports.length);
            });

            it("configures one listener per edge port, trusting PROXY headers from the tailnet only", () => {
                const listeners = plan.stalwart.objects.filter((o) => o.objectType === "x:NetworkListener");
                expect(listeners).toHaveLength(plan.edge.caddy.ports.length);
                for (const l of listeners)
                    expect(l.properties.overrideProxyTrustedNetworks).toEqual({
                        "100.64.0.0/10": true,
                        "fd7a:115c:a1e0::/48": true,
                    });
                const system = plan.stalwart.objects.find((o) => o.objectType === "x:SystemSettings")!;
                expect(system.properties).not.toHaveProperty("proxyTrustedNetworks");
            });

            it("points ACME at the stack's directory", () => {
                const acme = plan.stalwart.objects.find((o) => o.objectType === "x:AcmeProvider")!;
                const expected = stack === "prod" ? ACME_DIRECTORIES.production : ACME_DIRECTORIES.staging;
                expect(acme.properties.directory).toBe(expected);
                expect(plan.stalwart.acmeDirectory).toBe(expected);
            });
        });
    }

    it("lets data go only when allowDataLoss is set", () => {
        expect(planFor("prod").retainData).toBe(true);
        const loose = buildPlan(parseSettings({ ...validRaw(), allowDataLoss: true }, "dev"));
        expect(loose.retainData).toBe(false);
        expect(loose.mailbox.volumes.every((v) => !v.retain)).toBe(true);
    });

    it("manages no x:* objects when manageSettings is false", () => {
        const raw = validRaw();
        const plan = buildPlan(parseSettings({ ...raw, stalwart: { ...raw.stalwart, manageSettings: false } }, "dev"));
        expect(plan.stalwart.objects).toEqual([]);
    });

    it("for dns-01 adds the DNS server and automatic DNS management on the domain", () => {
        const raw = validRaw();
        const plan = buildPlan(
            parseSettings(
                {
                    ...raw,
                    acme: { challenge: "dns-01", dnsProvider: { "@type": "Cloudflare", email: "dns@infinidim.net" } },
                },
                "dev",
            ),
        );
        expect(plan.stalwart.objects[0]).toMatchObject({
            key: "dns",
            objectType: "x:DnsServer",
            properties: { "@type": "Cloudflare" },
        });
        const domain = plan.stalwart.objects.find((o) => o.key === "domain")!;
        expect(domain.refs).toMatchObject({
            "dnsManagement.dnsServerId": "dns",
            "certificateManagement.acmeProviderId": "acme",
        });
    });
});

describe("buildPlan: warnings and secrets", () => {
    it("the committed stacks plan with one warning: the edge's tailnet addresses are not known yet", () => {
        for (const stack of ["dev", "prod"])
            expect(planFor(stack).warnings.map((w) => w.path)).toEqual(["edge.tailnetAddresses"]);
    });

    it("hands x:InMemoryStore the Redis URL as a Secret when it holds a password, and still grants Redis in the policy", () => {
        const raw = validRaw();
        const plan = buildPlan(
            parseSettings(
                { ...raw, redis: { url: "redis://:pw-SECRET@slo-time-prod.tail7b1641.ts.net:6379/2" } },
                "dev",
            ),
        );
        const store = plan.stalwart.objects.find((o) => o.objectType === "x:InMemoryStore")!;
        expect(store.properties.url).toBeInstanceOf(Secret);
        expect((store.properties.url as Secret).reveal()).toBe(
            "redis://:pw-SECRET@slo-time-prod.tail7b1641.ts.net:6379/2",
        );
        expect(plan.backends.redis).toMatchObject({ host: "slo-time-prod.tail7b1641.ts.net", port: 6379, db: 2 });
        expect(plan.tailnet.aclHujson).toContain('"dst": ["slo-time-prod.tail7b1641.ts.net"], "ip": ["tcp:6379"]');
        const text = formatPlan(plan);
        expect(text).not.toContain("pw-SECRET");
        expect(JSON.stringify(plan)).not.toContain("pw-SECRET");
    });

    it("a plain Redis URL stays plain text in the plan", () => {
        const store = planFor("dev").stalwart.objects.find((o) => o.objectType === "x:InMemoryStore")!;
        expect(store.properties.url).toBe("redis://slo-time-prod.tail7b1641.ts.net:6379/4");
    });

    it("masks URL credentials wherever the report prints a URL", () => {
        const raw = validRaw();
        const s = parseSettings(raw, "dev");
        const plan = buildPlan(s);
        const text = formatPlan({
            ...plan,
            mailbox: { ...plan.mailbox, dockerHost: "tcp://u:dock-SECRET@mailbox.tail7b1641.ts.net:2376" },
        });
        expect(text).toContain("tcp://u:***@mailbox.tail7b1641.ts.net:2376");
        expect(text).not.toContain("dock-SECRET");
    });
});

describe("formatPlan", () => {
    it("shows every host, file and backend, and secrets only by name", () => {
        const raw = validRaw();
        const text = formatPlan(
            buildPlan(
                parseSettings(
                    {
                        ...raw,
                        postgres: { ...raw.postgres, adminPassword: "pg-SECRET-value" },
                        stalwart: { ...raw.stalwart, recoveryAdmin: "admin:SECRET-long-enough-1234" },
                    },
                    "dev",
                ),
            ),
        );
        expect(text).not.toMatch(/SECRET-value|admin:SECRET/);
        for (const needle of [
            "== mailbox host",
            "== edge host",
            "container ts-stalwart",
            "container stalwart",
            "network       container:ts-stalwart",
            "/etc/stalwart/config.json",
            "caddy.json",
            "tagOwners",
            "postgres",
            "logical DB 3",
            "<secret: postgresPassword>",
            "<secret: stalwartRecoveryAdmin>",
            "x:NetworkListener",
            "kept on destroy",
        ]) {
            expect(text).toContain(needle);
        }
    });

    it("shows the edge's resolvers when edge.dns names them", () => {
        const raw = validRaw();
        expect(
            formatPlan(buildPlan(parseSettings({ ...raw, edge: { ...raw.edge, dns: ["100.100.100.100"] } }, "dev"))),
        ).toMatch(/container caddy-l4[\s\S]*dns {11}100\.100\.100\.100/);
        expect(formatPlan(buildPlan(parseSettings(raw, "dev")))).not.toMatch(/^ {4}dns /m);
    });
});

describe("volumes declared by the Stalwart image", () => {
    it("mounts both /var/lib/stalwart and /etc/stalwart on named volumes (no anonymous volume per recreate)", () => {
        const plan = buildPlan(parseSettings(validRaw(), "dev"));
        const paths = plan.mailbox.stalwart.mounts.map((m) => m.containerPath).sort();
        expect(paths).toEqual(["/etc/stalwart", "/var/lib/stalwart"]);
        const names = new Set(plan.mailbox.volumes.map((v) => v.name));
        for (const m of plan.mailbox.stalwart.mounts) expect(names.has(m.volume), m.volume).toBe(true);
    });
});

describe("buildPlan: config review additions", () => {
    it("shows tailscale.oauthClientId in the plan for either auth mode, and nothing when unset", () => {
        const raw = validRaw();
        const keyed = buildPlan(
            parseSettings({ ...raw, tailscale: { auth: "tailnet-key", oauthClientId: "k1AbCdEf2CNTRL" } }, "dev"),
        );
        expect(keyed.tailnet.auth).toMatchObject({ kind: "tailnetKey", oauthClientId: "k1AbCdEf2CNTRL" });
        expect(formatPlan(keyed)).toMatch(
            /auth key: tailscale\.TailnetKey [^\n]*\n {2}OAuth client k1AbCdEf2CNTRL \(tailscale\.oauthClientId\)/,
        );
        expect(formatPlan(planFor("dev"))).not.toContain("OAuth client ");
    });

    it("an http ACME directory reaches x:AcmeProvider as given, with the warning in the plan", () => {
        const raw = validRaw();
        const plan = buildPlan(
            parseSettings({ ...raw, acme: { ...raw.acme, directory: "http://pebble:14000/dir" } }, "dev"),
        );
        expect(plan.stalwart.objects.find((o) => o.objectType === "x:AcmeProvider")!.properties.directory).toBe(
            "http://pebble:14000/dir",
        );
        expect(plan.warnings.map((w) => w.path)).toEqual(["acme.directory"]);
    });

    it("a DNS provider given by name becomes x:DnsServer with Stalwart's @type", () => {
        const plan = buildPlan(
            parseSettings({ ...validRaw(), acme: { challenge: "dns-01", dnsProvider: "cloudflare" } }, "dev"),
        );
        expect(plan.stalwart.objects[0]).toMatchObject({
            key: "dns",
            objectType: "x:DnsServer",
            properties: { "@type": "Cloudflare" },
        });
    });
});
