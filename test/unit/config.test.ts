import { describe, expect, it } from "vitest";
import { ACME_DIRECTORIES, ConfigError, parseSettings, Secret } from "../../components/config";
import { buildPlan } from "../../components/plan";
import { formatPlan } from "../../components/plan/report";
import { parseEndpoint, parseRedisUrl } from "../../components/config/validators";
import { encryptedDockerTls, loadStackConfig, validRaw } from "../support/stackConfig";

/** Parses and returns the issues, failing the test when the config is accepted. */
function issuesOf(raw: Record<string, unknown>, stack = "dev") {
    try {
        parseSettings(raw, stack);
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues;
    }
    throw new Error("expected a ConfigError");
}

/** Asserts an issue at `path` whose message matches (a path may hold several issues: one per problem). */
function expectIssue(raw: Record<string, unknown>, path: string, message: RegExp, stack = "dev") {
    const issues = issuesOf(raw, stack);
    const at = issues.filter((i) => i.path === path);
    expect(at.length, `no issue at ${path}; got ${JSON.stringify(issues)}`).toBeGreaterThan(0);
    const hit = at.find((i) => message.test(i.message));
    expect(
        hit,
        `no issue at ${path} matching ${message}; got ${JSON.stringify(at.map((i) => i.message))}`,
    ).toBeDefined();
    // every message names its key
    expect(hit!.message).toContain(path);
}

describe("parseSettings: the committed stacks", () => {
    it("accepts Pulumi.dev.yaml with staging and Pulumi.prod.yaml with production", () => {
        const dev = parseSettings(loadStackConfig("dev"), "dev");
        const prod = parseSettings(loadStackConfig("prod"), "prod");
        expect(dev.acme.directoryUrl).toBe(ACME_DIRECTORIES.staging);
        expect(prod.acme.directoryUrl).toBe(ACME_DIRECTORIES.production);
        expect(prod.mailboxFqdn).toBe("ts-stalwart.tail7b1641.ts.net");
    });

    it("fills the documented defaults", () => {
        const s = parseSettings(validRaw(), "dev");
        expect(s.mailbox.tailscaleHostname).toBe("ts-stalwart");
        expect(s.mailbox.tags).toEqual(["tag:stalwart"]);
        expect(
            parseSettings(
                {
                    ...validRaw(),
                    edge: { dockerHost: "unix:///var/run/docker.sock" },
                    acme: { challenge: "dns-01", dnsProvider: { "@type": "Cloudflare" } },
                },
                "dev",
            ).edge.ports,
        ).toEqual([25, 465, 587, 143, 993]);
        expect(s.tailscale.auth).toBe("tailnetKey");
        expect(s.allowDataLoss).toBe(false);
        expect(s.acme.contact).toEqual(["postmaster@infinidim.net"]);
        expect(s.stalwart.managementUrl).toBe("http://ts-stalwart.tail7b1641.ts.net:8080");
        expect(s.endpoints.redis).toMatchObject({ host: "slo-time-prod.tail7b1641.ts.net", port: 6379, db: 3 });
    });

    it("ACME directory defaults per stack: dev → staging, prod → production", () => {
        const raw = validRaw();
        expect(parseSettings(raw, "dev").acme.directoryUrl).toBe(ACME_DIRECTORIES.staging);
        expect(parseSettings(raw, "prod").acme.directoryUrl).toBe(ACME_DIRECTORIES.production);
        expect(
            parseSettings({ ...raw, acme: { ...raw.acme, directory: "https://acme.example.net/dir" } }, "dev").acme
                .directoryKind,
        ).toBe("custom");
    });

    it("accepts top-level scalars as pulumi.Config hands them over (strings)", () => {
        const s = parseSettings(
            {
                ...validRaw(),
                allowDataLoss: "true",
                edge: {
                    dockerHost: "tcp://e.infinidim.net:2376",
                    dockerTls: encryptedDockerTls(),
                    ports: "25,465,443",
                },
            },
            "dev",
        );
        expect(s.allowDataLoss).toBe(true);
        expect(s.edge.ports).toEqual([25, 465, 443]);
    });

    it("tolerates keys that still carry the tailwart: prefix", () => {
        const prefixed = Object.fromEntries(Object.entries(validRaw()).map(([k, v]) => [`tailwart:${k}`, v]));
        expect(parseSettings(prefixed, "dev").domain).toBe("infinidim.net");
    });

    it("ignores other namespaces' keys", () => {
        expect(() =>
            parseSettings({ ...validRaw(), "tailscale:apiKey": "x", "stalwart:url": "y" }, "dev"),
        ).not.toThrow();
    });
});

describe("parseSettings: every problem at once, each naming the key and the fix", () => {
    it("reports missing required keys together, a missing block as the required keys inside it", () => {
        const paths = issuesOf({}).map((i) => i.path);
        expect(paths).toEqual([
            "domain",
            "hostname",
            "tailnet",
            "stalwart.image",
            "mailbox.dockerHost",
            "edge.dockerHost",
            "postgres.host",
            "redis.url",
            "garage.s3Endpoint",
            "garage.adminEndpoint",
        ]);
        expect(issuesOf({})[0]!.message).toMatch(/pulumi config set/);
    });

    it("reports an unknown key with the rules still run", () => {
        const issues = issuesOf({ ...validRaw(), postgress: {}, redis: { url: "redis://r.tail7b1641.ts.net:6379" } });
        expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(["postgress", "redis.url"]));
    });

    it("reports a wrong type at its path", () => {
        expectIssue(
            { ...validRaw(), postgres: { ...validRaw().postgres, port: "five" } },
            "postgres.port",
            /expected number/,
        );
    });

    it("ConfigError.message lists every issue", () => {
        try {
            parseSettings({ ...validRaw(), tailnet: "tailnet", stalwart: { image: "stalwartlabs/stalwart" } }, "dev");
        } catch (e) {
            expect((e as Error).message).toMatch(/2 problems/);
            expect((e as Error).message).toMatch(/tailnet/);
            expect((e as Error).message).toMatch(/stalwart\.image/);
        }
        expect.assertions(3);
    });
});

describe("rules (one test each)", () => {
    it("an edge resolver that is not an IP address is rejected", () => {
        expectIssue(
            { ...validRaw(), edge: { ...validRaw().edge, dns: ["100.100.100.100", "magicdns.ts.net"] } },
            "edge.dns",
            /"magicdns\.ts\.net", which is not an IP address.*100\.100\.100\.100/,
        );
        expect(
            parseSettings(
                { ...validRaw(), edge: { ...validRaw().edge, dns: ["100.100.100.100", "fd7a:115c:a1e0::53"] } },
                "dev",
            ).edge.dns,
        ).toEqual(["100.100.100.100", "fd7a:115c:a1e0::53"]);
    });

    it("a bare MagicDNS backend host is rejected", () => {
        expectIssue(
            { ...validRaw(), postgres: { host: "the-record" } },
            "postgres.host",
            /not a full DNS name.*<host>\.<tailnet>/,
        );
    });

    it("a bare tailnet name is rejected", () => {
        expectIssue({ ...validRaw(), tailnet: "tail7b1641" }, "tailnet", /not a full DNS name/);
    });

    it("an IP address where a DNS name belongs is rejected", () => {
        expectIssue({ ...validRaw(), postgres: { host: "100.64.0.7" } }, "postgres.host", /IP address.*MagicDNS name/);
    });

    it("a Garage endpoint without an explicit port is rejected", () => {
        expectIssue(
            { ...validRaw(), garage: { ...validRaw().garage, s3Endpoint: "http://garage.tail7b1641.ts.net" } },
            "garage.s3Endpoint",
            /no explicit port; add it/,
        );
        expectIssue(
            { ...validRaw(), garage: { ...validRaw().garage, adminEndpoint: "https://garage.tail7b1641.ts.net/" } },
            "garage.adminEndpoint",
            /no explicit port/,
        );
    });

    it("a Garage endpoint on a bare host is rejected", () => {
        expectIssue(
            { ...validRaw(), garage: { ...validRaw().garage, s3Endpoint: "http://garage:3900" } },
            "garage.s3Endpoint",
            /not a full DNS name/,
        );
    });

    it("a Redis URL without a logical DB index is rejected", () => {
        expectIssue(
            { ...validRaw(), redis: { url: "redis://slo-time-prod.tail7b1641.ts.net:6379" } },
            "redis.url",
            /no logical DB index; end it with \/<0-15>/,
        );
    });

    it("a Redis DB index above 15 is rejected", () => {
        expectIssue(
            { ...validRaw(), redis: { url: "redis://slo-time-prod.tail7b1641.ts.net:6379/16" } },
            "redis.url",
            /DBs 0-15/,
        );
    });

    it("a Redis URL without a port or on a bare host is rejected", () => {
        expectIssue(
            { ...validRaw(), redis: { url: "redis://slo-time-prod.tail7b1641.ts.net/3" } },
            "redis.url",
            /no explicit port/,
        );
        expectIssue(
            { ...validRaw(), redis: { url: "redis://slo-time-prod:6379/3" } },
            "redis.url",
            /not a full DNS name/,
        );
    });

    it("an unpinned Stalwart image (latest or no tag) is rejected", () => {
        expectIssue(
            { ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:latest" } },
            "stalwart.image",
            /not pinned/,
        );
        expectIssue(
            { ...validRaw(), stalwart: { image: "stalwartlabs/stalwart" } },
            "stalwart.image",
            /not pinned.*v0\.16/,
        );
    });

    it("a Stalwart image that is not a v0.16 tag is rejected", () => {
        expectIssue(
            { ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:v1.0.0" } },
            "stalwart.image",
            /not a v0\.16 release/,
        );
        expectIssue(
            { ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:v0.15.4" } },
            "stalwart.image",
            /not a v0\.16 release/,
        );
    });

    it("pinned v0.16 images with registry ports, suffixes and digests are accepted", () => {
        for (const image of [
            "registry.infinidim.net:5000/stalwart:v0.16.18",
            "stalwartlabs/stalwart:v0.16.7-alpine",
            "stalwartlabs/stalwart:v0.16.18@sha256:0123",
        ]) {
            expect(() => parseSettings({ ...validRaw(), stalwart: { image } }, "dev")).not.toThrow();
        }
    });

    it("a Tailscale tag not of the form tag:name is rejected", () => {
        expectIssue(
            { ...validRaw(), mailbox: { ...validRaw().mailbox, tags: ["stalwart"] } },
            "mailbox.tags",
            /"stalwart", which is not a Tailscale tag; write it as tag:<name>/,
        );
        expectIssue(
            { ...validRaw(), edge: { ...validRaw().edge, tags: ["tag:ok", "tag:bad tag"] } },
            "edge.tags",
            /"tag:bad tag".*tag:<name>/,
        );
    });

    it("http-01 without :80 forwarded is rejected", () => {
        expectIssue(
            { ...validRaw(), acme: { challenge: "http-01" } },
            "acme.challenge",
            /http-01 needs the edge to forward :80.*add 80 to edge\.ports/,
        );
        expect(() =>
            parseSettings(
                { ...validRaw(), edge: { ...validRaw().edge, ports: [25, 80] }, acme: { challenge: "http-01" } },
                "dev",
            ),
        ).not.toThrow();
    });

    it("without acme.challenge, the challenge follows the topology", () => {
        const raw = validRaw();
        const pick = (ports: number[], acme: Record<string, unknown> = {}) =>
            parseSettings({ ...raw, edge: { ...raw.edge, ports }, acme }, "dev").acme.challenge;
        expect(pick([25, 443])).toBe("tls-alpn-01");
        expect(pick([25, 80])).toBe("http-01");
        expect(pick([25], { dnsProvider: { "@type": "Cloudflare" } })).toBe("dns-01");
    });

    it("a topology that can serve no ACME challenge, with none set, deploys tls-alpn-01 with a warning", () => {
        const s = parseSettings(
            { ...validRaw(), edge: { ...validRaw().edge, ports: [25, 465, 587, 143, 993] }, acme: {} },
            "dev",
        );
        expect(s.acme.challenge).toBe("tls-alpn-01");
        expect(s.warnings).toEqual([
            {
                path: "acme.challenge",
                message: expect.stringMatching(
                    /^acme\.challenge is not set and the topology can serve no ACME challenge.*once 443 is in edge\.ports/,
                ),
            },
        ]);
    });

    it("tls-alpn-01 without :443 forwarded is rejected", () => {
        expectIssue(
            {
                ...validRaw(),
                edge: { ...validRaw().edge, ports: [25, 465, 587, 143, 993] },
                acme: { challenge: "tls-alpn-01" },
            },
            "acme.challenge",
            /tls-alpn-01 needs .*:443.*add 443 to edge\.ports/,
        );
    });

    it("dns-01 without a DNS provider setting is rejected", () => {
        expectIssue(
            { ...validRaw(), acme: { challenge: "dns-01" } },
            "acme.challenge",
            /dns-01 needs acme\.dnsProvider/,
        );
    });

    it("stack prod on the staging directory is rejected unless acknowledged", () => {
        expectIssue(
            { ...validRaw(), acme: { ...validRaw().acme, directory: "staging" } },
            "acme.directory",
            /staging directory on stack prod.*acceptDirectoryMismatch/,
            "prod",
        );
        expect(() =>
            parseSettings(
                { ...validRaw(), acme: { ...validRaw().acme, directory: "staging", acceptDirectoryMismatch: true } },
                "prod",
            ),
        ).not.toThrow();
    });

    it("stack dev on the production directory is rejected unless acknowledged", () => {
        expectIssue(
            { ...validRaw(), acme: { ...validRaw().acme, directory: "production" } },
            "acme.directory",
            /production on stack dev.*acceptDirectoryMismatch/,
        );
        expectIssue(
            { ...validRaw(), acme: { ...validRaw().acme, directory: ACME_DIRECTORIES.production } },
            "acme.directory",
            /production on stack dev/,
        );
        expect(() =>
            parseSettings(
                { ...validRaw(), acme: { ...validRaw().acme, directory: "production", acceptDirectoryMismatch: true } },
                "dev",
            ),
        ).not.toThrow();
    });

    it("an ACME directory that is neither a name nor an https URL is rejected", () => {
        expectIssue(
            { ...validRaw(), acme: { ...validRaw().acme, directory: "letsencrypt" } },
            "acme.directory",
            /staging, production or an https/,
        );
    });

    it("a docker host that is not a docker URL is rejected", () => {
        expectIssue(
            { ...validRaw(), mailbox: { dockerHost: "mailbox.tail7b1641.ts.net" } },
            "mailbox.dockerHost",
            /ssh:\/\/user@host/,
        );
    });

    it("an edge port listed twice is rejected", () => {
        expectIssue({ ...validRaw(), edge: { ...validRaw().edge, ports: [25, 25, 443] } }, "edge.ports", /25 twice/);
    });

    it("oauth auth without its client secret is rejected, and a stray secret too", () => {
        expectIssue(
            { ...validRaw(), tailscale: { auth: "oauth" } },
            "tailscale.oauthClientSecret",
            /pulumi config set --secret/,
        );
        expectIssue(
            { ...validRaw(), tailscale: { auth: "tailnetKey", oauthClientSecret: "tskey-client-x" } },
            "tailscale.auth",
            /set tailscale\.auth: oauth/,
        );
    });
});

describe("secrets in settings", () => {
    it("are masked in JSON, strings and errors, and revealed only on request", () => {
        const s = parseSettings(
            {
                ...validRaw(),
                tailscale: { oauthClientSecret: "tskey-client-SECRET" },
                postgres: { ...validRaw().postgres, adminPassword: "pg-SECRET" },
            },
            "dev",
        );
        expect(s.tailscale.auth).toBe("oauth");
        expect(JSON.stringify(s)).not.toMatch(/SECRET/);
        expect(String(s.postgres.adminPassword)).toBe(Secret.MASK);
        expect(s.postgres.adminPassword!.reveal()).toBe("pg-SECRET");
    });

    it("accept the encrypted form of the YAML file but refuse to reveal it", () => {
        const s = parseSettings(
            { ...validRaw(), postgres: { ...validRaw().postgres, adminPassword: { secure: "v1:abc" } } },
            "dev",
        );
        expect(s.postgres.adminPassword!.encrypted).toBe(true);
        expect(() => s.postgres.adminPassword!.reveal()).toThrow(/only available encrypted/);
    });

    it("a non-secret where a secret belongs names the key and the command", () => {
        expectIssue(
            { ...validRaw(), postgres: { ...validRaw().postgres, adminPassword: 42 } },
            "postgres.adminPassword",
            /pulumi config set --secret/,
        );
    });
});

describe("edge ports", () => {
    it("a port no Stalwart listener serves is rejected", () => {
        expectIssue(
            { ...validRaw(), edge: { ...validRaw().edge, ports: [25, 8443] } },
            "edge.ports",
            /8443, which no Stalwart listener serves/,
        );
    });
});

/** Asserts exactly these issue paths (in any order) and returns the issues. */
function expectPaths(raw: Record<string, unknown>, paths: string[], stack = "dev") {
    const issues = issuesOf(raw, stack);
    expect(issues.map((i) => i.path).sort()).toEqual([...paths].sort());
    for (const i of issues) expect(i.message, i.path).toContain(i.path);
    return issues;
}

/** validRaw() with the minimal edge and no acme block: what a first stack file looks like. */
function minimalRaw(): ReturnType<typeof validRaw> {
    const raw = validRaw();
    delete raw.acme;
    raw.edge = { dockerHost: raw.edge.dockerHost, tailnetAddresses: raw.edge.tailnetAddresses };
    return raw;
}

describe("one shape error never hides the rules (review finding 1)", () => {
    it("a config missing redis, with an unpinned image and a bad tag, reports all three", () => {
        const raw = validRaw();
        delete raw.redis;
        raw.stalwart = { image: "stalwartlabs/stalwart:latest" };
        raw.mailbox = { ...raw.mailbox, tags: ["stalwart"] };
        const issues = expectPaths(raw, ["redis.url", "stalwart.image", "mailbox.tags"]);
        expect(issues.find((i) => i.path === "redis.url")!.message).toMatch(
            /^redis\.url is required; set it, e\.g\. `pulumi config set --path tailwart:redis\.url redis:\/\/redis\.tail7b1641\.ts\.net:6379\/3`/,
        );
        expect(issues.find((i) => i.path === "stalwart.image")!.message).toMatch(/not pinned/);
        expect(issues.find((i) => i.path === "mailbox.tags")!.message).toMatch(
            /"stalwart", which is not a Tailscale tag/,
        );
    });

    it("a block of the wrong type is reported, and the rules on the other blocks still run", () => {
        expectPaths({ ...validRaw(), edge: "caddy", postgres: { host: "the-record" } }, ["edge", "postgres.host"]);
    });

    it("a rule whose key is ill-typed is skipped rather than guessing (no acme.challenge issue from unreadable ports)", () => {
        const issues = expectPaths({ ...validRaw(), edge: { ...validRaw().edge, ports: ["smtp", "imaps"] } }, [
            "edge.ports",
            "edge.ports",
        ]);
        expect(issues.map((i) => i.message)).toEqual([
            'edge.ports has "smtp", which is not a port number; write e.g. [25, 465, 587, 143, 993]',
            'edge.ports has "imaps", which is not a port number; write e.g. [25, 465, 587, 143, 993]',
        ]);
    });

    it("never throws anything but a ConfigError, however broken the config", () => {
        const junk = [42, "text", [], null, true, { nested: 1 }];
        const keys = [
            "domain",
            "hostname",
            "tailnet",
            "stalwart",
            "mailbox",
            "edge",
            "postgres",
            "redis",
            "garage",
            "acme",
            "tailscale",
            "allowDataLoss",
        ];
        for (const value of junk) {
            for (const key of keys) {
                if (key === "allowDataLoss" && value === true) continue;
                expect(
                    () => parseSettings({ ...validRaw(), [key]: value }, "dev"),
                    `${key}: ${JSON.stringify(value)}`,
                ).toThrow(ConfigError);
            }
            expect(() => parseSettings(Object.fromEntries(keys.map((k) => [k, value])), "prod")).toThrow(ConfigError);
        }
    });
});

describe("ACME challenge default (review finding 2)", () => {
    it("a minimal config without an acme block and default edge ports is accepted, with a warning the plan shows", () => {
        const s = parseSettings(minimalRaw(), "dev");
        expect(s.edge.ports).toEqual([25, 465, 587, 143, 993]);
        expect(s.acme.challenge).toBe("tls-alpn-01");
        expect(s.warnings.map((w) => w.path)).toEqual(["acme.challenge"]);
        const plan = buildPlan(s);
        expect(plan.warnings).toEqual(s.warnings);
        const text = formatPlan(plan);
        expect(text).toMatch(
            /== warnings[^\n]*\n {2}- acme\.challenge is not set and the topology can serve no ACME challenge/,
        );
    });

    it("keeps the topology default of 0010aaf: 443 → tls-alpn-01, else 80 → http-01, else a dnsProvider → dns-01, all without warnings", () => {
        const pick = (ports: number[], acme: Record<string, unknown> = {}) =>
            parseSettings({ ...minimalRaw(), edge: { ...minimalRaw().edge, ports }, acme }, "dev");
        expect(pick([25, 80, 443]).acme.challenge).toBe("tls-alpn-01");
        expect(pick([25, 80]).acme.challenge).toBe("http-01");
        const dns = pick([25], { dnsProvider: { "@type": "Cloudflare" } });
        expect(dns.acme.challenge).toBe("dns-01");
        expect(dns.warnings).toEqual([]);
    });

    it("a challenge set explicitly to one the topology cannot serve is still an error", () => {
        expectPaths({ ...minimalRaw(), acme: { challenge: "tls-alpn-01" } }, ["acme.challenge"]);
        expectPaths({ ...minimalRaw(), acme: { challenge: "http-01" } }, ["acme.challenge"]);
    });

    it("a dnsProvider without @type or of an unknown type is an error at acme.dnsProvider; an unused one a warning", () => {
        expectIssue(
            { ...minimalRaw(), acme: { dnsProvider: { secret: "x" } } },
            "acme.dnsProvider",
            /acme\.dnsProvider has no "@type"/,
        );
        expectIssue(
            { ...minimalRaw(), acme: { dnsProvider: { "@type": "Cloudflre" } } },
            "acme.dnsProvider",
            /"Cloudflre" is not a DNS provider.*did you mean Cloudflare/,
        );
        const s = parseSettings({ ...validRaw(), acme: { dnsProvider: { "@type": "Cloudflare" } } }, "dev");
        expect(s.warnings).toEqual([
            {
                path: "acme.dnsProvider",
                message: expect.stringMatching(
                    /acme\.dnsProvider is set but the ACME challenge is tls-alpn-01.*acme\.challenge: dns-01/,
                ),
            },
        ]);
    });
});

describe("what the renderers and components would refuse is a config issue (review finding 3)", () => {
    const mailbox = (extra: Record<string, unknown>) => ({
        ...validRaw(),
        mailbox: { ...validRaw().mailbox, ...extra },
    });
    const edge = (extra: Record<string, unknown>) => ({ ...validRaw(), edge: { ...validRaw().edge, ...extra } });

    it.each([["ts_stalwart"], ["ts.stalwart"], ["TS-Stalwart"], ["-ts"], ["a".repeat(64)]])(
        "mailbox.tailscaleHostname %s is not a DNS label",
        (name) => {
            expectPaths(mailbox({ tailscaleHostname: name }), ["mailbox.tailscaleHostname"]);
            expectIssue(
                mailbox({ tailscaleHostname: name }),
                "mailbox.tailscaleHostname",
                /is not a DNS label.*lower-case letters, digits and inner dashes, at most 63 characters/,
            );
        },
    );

    it("empty tag lists, and a tag shared by the mailbox and the edge", () => {
        expectIssue(
            mailbox({ tags: [] }),
            "mailbox.tags",
            /mailbox\.tags is empty; list at least one tag, e.g\. \[tag:stalwart\]/,
        );
        expectIssue(edge({ tags: [] }), "edge.tags", /edge\.tags is empty/);
        expectIssue(
            edge({ tags: ["tag:stalwart"] }),
            "edge.tags",
            /edge\.tags shares tag:stalwart with mailbox\.tags; give the edge and the mailbox distinct tags/,
        );
        expectIssue(
            { ...validRaw(), tailscale: { tagOwners: [] } },
            "tailscale.tagOwners",
            /tailscale\.tagOwners is empty/,
        );
        expectIssue(
            { ...validRaw(), tailscale: { operators: ["alice example"] } },
            "tailscale.operators",
            /"alice example", which is not a policy principal/,
        );
    });

    it("an unpinned edge.image (when given)", () => {
        expectIssue(
            edge({ image: "caddy:latest" }),
            "edge.image",
            /edge\.image "caddy:latest" is not pinned; name a release tag or a digest/,
        );
        expectIssue(edge({ image: "registry.infinidim.net:5000/caddy-l4" }), "edge.image", /not pinned/);
        expectIssue(edge({ image: "caddy l4:2.10" }), "edge.image", /not an image reference/);
        expect(() =>
            parseSettings(edge({ image: "registry.infinidim.net:5000/caddy-l4@sha256:0123" }), "dev"),
        ).not.toThrow();
        expect(() =>
            parseSettings(edge({ image: "registry.infinidim.net:5000/caddy-l4:2.10.2" }), "dev"),
        ).not.toThrow();
    });

    it("a health address without a port, or with one out of range", () => {
        expectIssue(
            mailbox({ healthAddress: "127.0.0.1" }),
            "mailbox.healthAddress",
            /"127\.0\.0\.1" is not host:port; write e\.g\. 127\.0\.0\.1:9002/,
        );
        expectIssue(
            mailbox({ healthAddress: "127.0.0.1:70000" }),
            "mailbox.healthAddress",
            /port 70000, outside 1-65535/,
        );
    });

    it("container and volume names docker refuses", () => {
        expectIssue(
            { ...validRaw(), stalwart: { ...validRaw().stalwart, containerName: "my stalwart" } },
            "stalwart.containerName",
            /"my stalwart" is not a valid docker container name; use letters, digits/,
        );
        expectIssue(edge({ containerName: "caddy/l4" }), "edge.containerName", /not a valid docker container name/);
        for (const key of ["dataVolume", "configVolume", "stateVolume"]) {
            expectIssue(mailbox({ [key]: "-data" }), `mailbox.${key}`, /"-data" is not a valid docker volume name/);
        }
        expectIssue(edge({ dataVolume: "caddy data" }), "edge.dataVolume", /not a valid docker volume name/);
    });

    it("edge.ports empty, out of range or listed twice", () => {
        expectPaths(edge({ ports: [] }), ["edge.ports", "acme.challenge"]);
        expectIssue(edge({ ports: [] }), "edge.ports", /edge\.ports is empty; list the mail ports/);
        expectIssue(edge({ ports: [25, 0, 443] }), "edge.ports", /edge\.ports has 0, outside 1-65535/);
        expectIssue(edge({ ports: [25, 70000, 443] }), "edge.ports", /edge\.ports has 70000, outside 1-65535/);
        expectIssue(edge({ ports: [25, 443, 443] }), "edge.ports", /edge\.ports lists 443 twice/);
    });

    it("one name for two containers or two volumes on the same docker host", () => {
        expectIssue(
            { ...validRaw(), stalwart: { ...validRaw().stalwart, containerName: "ts-stalwart" } },
            "stalwart.containerName",
            /"ts-stalwart" is also the sidecar's container name \(mailbox\.tailscaleHostname\); give each container on the host its own name/,
        );
        expectIssue(
            mailbox({ configVolume: "stalwart-data" }),
            "mailbox.configVolume",
            /"stalwart-data" is also mailbox\.dataVolume; give each volume on the host its own name/,
        );
        expectIssue(
            mailbox({ stateVolume: "stalwart-config" }),
            "mailbox.stateVolume",
            /is also mailbox\.configVolume/,
        );
        const shared = validRaw().mailbox.dockerHost;
        expectIssue(
            edge({ dockerHost: shared, containerName: "stalwart" }),
            "edge.containerName",
            /"stalwart" is also stalwart\.containerName/,
        );
        expectIssue(
            edge({ dockerHost: shared, dataVolume: "stalwart-data" }),
            "edge.dataVolume",
            /is also mailbox\.dataVolume/,
        );
        // on another docker host the edge may reuse a name
        expect(() =>
            parseSettings(edge({ containerName: "stalwart", dataVolume: "stalwart-data" }), "dev"),
        ).not.toThrow();
    });

    it("whatever parseSettings accepts, buildPlan renders without throwing", () => {
        const unusual = [
            mailbox({
                tailscaleHostname: "ts1",
                healthAddress: "[::1]:9002",
                dataVolume: "mail.data_1",
                tags: ["tag:mail", "tag:stalwart-dev"],
            }),
            edge({
                image: "registry.infinidim.net:5000/caddy-l4@sha256:0123",
                containerName: "edge.caddy",
                ports: [25, 443, 80, 4190],
            }),
            { ...validRaw(), stalwart: { ...validRaw().stalwart, containerName: "stalwart_v016" } },
            { ...minimalRaw(), tailscale: { operators: [] } },
        ];
        for (const raw of unusual) expect(() => buildPlan(parseSettings(raw, "dev"))).not.toThrow();
    });
});

describe("secrets in URLs (review finding 4)", () => {
    const PW = "hunter2-SECRET";
    const withRedis = (url: unknown, extra: Record<string, unknown> = {}) => ({
        ...validRaw(),
        redis: { url },
        ...extra,
    });

    it("a redis.url holding a password becomes a Secret that prints masked", () => {
        const s = parseSettings(withRedis(`redis://:${PW}@slo-time-prod.tail7b1641.ts.net:6379/2`), "dev");
        expect(s.redis.url).toBeInstanceOf(Secret);
        expect(String(s.redis.url)).toBe("redis://:***@slo-time-prod.tail7b1641.ts.net:6379/2");
        expect((s.redis.url as Secret).reveal()).toBe(`redis://:${PW}@slo-time-prod.tail7b1641.ts.net:6379/2`);
        expect(s.endpoints.redis).toMatchObject({
            host: "slo-time-prod.tail7b1641.ts.net",
            port: 6379,
            db: 2,
            credentials: true,
        });
        expect(JSON.stringify(s)).not.toContain(PW);
    });

    it("a redis.url without a password stays text", () => {
        expect(parseSettings(validRaw(), "dev").redis.url).toBe("redis://slo-time-prod.tail7b1641.ts.net:6379/3");
    });

    it("accepts redis.url encrypted in the stack file ({ secure: … }), with a warning and no Redis grant in the plan", () => {
        const s = parseSettings(withRedis({ secure: "v1:abc" }), "dev");
        expect(s.redis.url).toBeInstanceOf(Secret);
        expect((s.redis.url as Secret).encrypted).toBe(true);
        expect(s.endpoints.redis).toBeUndefined();
        expect(s.warnings).toEqual([
            {
                path: "redis.url",
                message: expect.stringMatching(/^redis\.url is encrypted in the stack file.*pulumi preview\/up/),
            },
        ]);
        const plan = buildPlan(s);
        expect(plan.tailnet.aclHujson).not.toContain("redis");
        expect(formatPlan(plan)).toMatch(/redis {5}URL encrypted in the stack file/);
    });

    it("never shows the password in an issue, in ConfigError.message or in a rule's hint", () => {
        for (const url of [
            `redis://:${PW}@slo-time-prod.tail7b1641.ts.net:6379`,
            `redis://user:${PW}@slo-time-prod:6379/2`,
            `redis://:${PW}@slo-time-prod.tail7b1641.ts.net/2`,
            `redis://:${PW}@slo-time-prod.tail7b1641.ts.net:6379/99`,
            `redis://:${PW}@slo-time-prod.tail7b1641.ts.net:6379/2?password=${PW}&x=1`,
            `http://:${PW}@slo-time-prod.tail7b1641.ts.net:6379/2`,
        ]) {
            try {
                parseSettings(withRedis(url), "dev");
                throw new Error(`accepted ${url}`);
            } catch (e) {
                expect(e).toBeInstanceOf(ConfigError);
                expect((e as ConfigError).message).not.toContain(PW);
                expect(new Set((e as ConfigError).issues.map((i) => i.path))).toEqual(new Set(["redis.url"]));
                // where the URL is shown, it is shown masked
                if ((e as ConfigError).message.includes("redis://"))
                    expect((e as ConfigError).message).toContain(":***@");
            }
        }
    });

    it("garage endpoints, the management URL and the ACME directory refuse credentials without echoing them", () => {
        const raw = validRaw();
        const issues = expectPaths(
            {
                ...raw,
                garage: { ...raw.garage, adminEndpoint: `http://admin:${PW}@garage.tail7b1641.ts.net:3903` },
                stalwart: { ...raw.stalwart, managementUrl: `http://admin:${PW}@ts-stalwart.tail7b1641.ts.net:8080` },
                acme: { ...raw.acme, directory: `https://u:${PW}@acme.example.net/dir` },
            },
            ["garage.adminEndpoint", "stalwart.managementUrl", "acme.directory"],
        );
        expect(JSON.stringify(issues)).not.toContain(PW);
        expect(issues.find((i) => i.path === "garage.adminEndpoint")!.message).toMatch(
            /carries a password; remove the credentials from the URL \(the admin token is garage:adminToken/,
        );
    });

    it("the plan, its JSON and the report show the Redis URL and the DNS provider's credentials masked", () => {
        const s = parseSettings(
            withRedis(`redis://:${PW}@slo-time-prod.tail7b1641.ts.net:6379/2`, {
                acme: {
                    challenge: "dns-01",
                    dnsProvider: {
                        "@type": "Cloudflare",
                        email: "dns@infinidim.net",
                        secret: { "@type": "Value", secret: `cf-${PW}` },
                    },
                },
            }),
            "dev",
        );
        const plan = buildPlan(s);
        const text = formatPlan(plan);
        for (const out of [text, JSON.stringify(plan), JSON.stringify(s)]) expect(out).not.toContain(PW);
        expect(text).toContain(
            'x:InMemoryStore      in-memory-store: {"@type":"Redis","url":"redis://:***@slo-time-prod.tail7b1641.ts.net:6379/2"}',
        );
        // the credential travels as container env; x:DnsServer only names the variable (decision in docs/stalwart-provider.md)
        expect(text).toContain(
            'x:DnsServer          dns: {"description":"tailwart dev: ACME dns-01 for infinidim.net","@type":"Cloudflare","email":"dns@infinidim.net","secret":{"@type":"EnvironmentVariable","variableName":"STALWART_DNS_SECRET"}}',
        );
        expect(text).toContain("STALWART_DNS_SECRET=<secret: acmeDns.secret>");
        expect(text).toContain(
            "redis     slo-time-prod.tail7b1641.ts.net:6379 logical DB 2 (nothing to create), URL redis://:***@slo-time-prod.tail7b1641.ts.net:6379/2",
        );
        // the values themselves are kept for the deployment, which hands them to Pulumi as secrets
        expect((s.acme.dnsProvider!.secret as Secret<unknown>).reveal()).toEqual({
            "@type": "Value",
            secret: `cf-${PW}`,
        });
    });

    it("accepts dnsProvider fields encrypted in the stack file", () => {
        const s = parseSettings(
            {
                ...validRaw(),
                acme: {
                    challenge: "dns-01",
                    dnsProvider: { "@type": "Cloudflare", secret: { "@type": "Value", secret: { secure: "v1:abc" } } },
                },
            },
            "dev",
        );
        const secret = s.acme.dnsProvider!.secret as Secret<unknown>;
        expect(secret.encrypted).toBe(true);
        expect(formatPlan(buildPlan(s))).toContain(
            '"secret":{"@type":"EnvironmentVariable","variableName":"STALWART_DNS_SECRET"}',
        );
    });
});

describe("messages (review finding 5)", () => {
    it("a bare hostname or domain suggests a public name, not <host>.<tailnet>", () => {
        const host = issuesOf({ ...validRaw(), hostname: "mail" }).find((i) => i.path === "hostname")!;
        expect(host.message).toBe(
            'hostname "mail" is not a full DNS name; write the full public name, e.g. "mail.infinidim.net"',
        );
        const domain = issuesOf({ ...validRaw(), domain: "infinidim" }).find((i) => i.path === "domain")!;
        expect(domain.message).toMatch(/^domain "infinidim" is not a full DNS name; write the full public name/);
        expect(domain.message).not.toMatch(/tailnet/);
        expectIssue(
            { ...validRaw(), tailnet: "tail7b1641" },
            "tailnet",
            /write the tailnet's whole DNS suffix, e\.g\. "tail7b1641\.ts\.net"/,
        );
    });

    it("a bare tailnet host suggests <host>.<tailnet> with the stack's tailnet", () => {
        expectIssue(
            { ...validRaw(), postgres: { host: "the-record" } },
            "postgres.host",
            /write it as <host>\.<tailnet>, e\.g\. "the-record\.tail7b1641\.ts\.net"/,
        );
        expectIssue(
            { ...validRaw(), garage: { ...validRaw().garage, s3Endpoint: "http://garage:3900" } },
            "garage.s3Endpoint",
            /e\.g\. "garage\.tail7b1641\.ts\.net"/,
        );
    });

    it("a host with :port says to put the port in postgres.port", () => {
        expectIssue(
            { ...validRaw(), postgres: { host: "db.tail7b1641.ts.net:5432" } },
            "postgres.host",
            /^postgres\.host "db\.tail7b1641\.ts\.net:5432" includes a port; write the host alone \("db\.tail7b1641\.ts\.net"\) and put 5432 in postgres\.port$/,
        );
    });

    it("stalwart.drainTimeoutSeconds (the one-instance gate's wait) is 0 to 3600 seconds, 120 by default", () => {
        const drain = (drainTimeoutSeconds: unknown) => ({
            ...validRaw(),
            stalwart: { ...validRaw().stalwart, drainTimeoutSeconds },
        });
        expect(parseSettings(validRaw(), "dev").stalwart.drainTimeoutSeconds).toBe(120);
        expect(parseSettings(drain("300"), "dev").stalwart.drainTimeoutSeconds).toBe(300);
        expectIssue(drain(5000), "stalwart.drainTimeoutSeconds", /from 0 to 3600/);
        expectIssue(drain(-1), "stalwart.drainTimeoutSeconds", /from 0 to 3600/);
    });

    it("a digest-only Stalwart image is told to add the v0.16 tag in front of the digest", () => {
        expectIssue(
            { ...validRaw(), stalwart: { image: "stalwartlabs/stalwart@sha256:0123abcd" } },
            "stalwart.image",
            /add the v0\.16 tag in front of the digest, e\.g\. stalwartlabs\/stalwart:v0\.16\.18@sha256:0123abcd/,
        );
    });

    it("secret hints name the real key", () => {
        expectIssue(
            { ...validRaw(), postgres: { ...validRaw().postgres, adminPassword: 42 } },
            "postgres.adminPassword",
            /`pulumi config set --secret --path tailwart:postgres\.adminPassword <value>`/,
        );
        expectIssue(
            { ...validRaw(), stalwart: { ...validRaw().stalwart, recoveryAdmin: ["x"] } },
            "stalwart.recoveryAdmin",
            /--path tailwart:stalwart\.recoveryAdmin/,
        );
        expectIssue(
            { ...validRaw(), tailscale: { auth: "oauth" } },
            "tailscale.oauthClientSecret",
            /`pulumi config set --secret --path tailwart:tailscale\.oauthClientSecret tskey-client-…`/,
        );
        expectIssue(
            { ...validRaw(), redis: { url: 6379 } },
            "redis.url",
            /--secret --path tailwart:redis\.url redis:\/\/:<password>@<host>\.<tailnet>:6379\/<0-15>/,
        );
    });

    it("no message repeats its key, in the issue or in ConfigError.message", () => {
        const raw = validRaw();
        const broken = {
            ...raw,
            stalwart: { image: 16 },
            postgres: { ...raw.postgres, port: "five", sslmode: "sometimes" },
            acme: { challenge: "smoke-signal", contact: ["nobody"] },
            redis: { url: "redis://slo-time-prod.tail7b1641.ts.net:6379" },
            mailbox: { ...raw.mailbox, tags: "stalwart" },
        };
        try {
            parseSettings(broken, "dev");
        } catch (e) {
            const error = e as ConfigError;
            expect(error.issues.length).toBeGreaterThanOrEqual(6);
            for (const i of error.issues) {
                expect(i.message.startsWith(`${i.path}: ${i.path}`), i.message).toBe(false);
                expect(i.message.startsWith(`${i.path} ${i.path}`), i.message).toBe(false);
                expect(error.message).not.toContain(`${i.path}: ${i.path}`);
            }
            expect(error.issues.find((i) => i.path === "postgres.port")!.message).toBe(
                "postgres.port expected number, received string; check the value's type in Pulumi.<stack>.yaml",
            );
            expect(error.issues.find((i) => i.path === "acme.challenge")!.message).toMatch(
                /^acme\.challenge invalid option: expected one of "tls-alpn-01"\|"http-01"\|"dns-01"/,
            );
            expect(error.message).toMatch(
                /\n {2}- redis\.url "redis:\/\/slo-time-prod\.tail7b1641\.ts\.net:6379" has no logical DB index/,
            );
            return;
        }
        throw new Error("expected a ConfigError");
    });
});

describe("small fixes (review finding 6)", () => {
    it("the staging directory URL with a trailing slash is still staging (prod refuses it, dev accepts it)", () => {
        const directory = `${ACME_DIRECTORIES.staging}/`;
        expectIssue(
            { ...validRaw(), acme: { ...validRaw().acme, directory } },
            "acme.directory",
            /staging directory on stack prod/,
            "prod",
        );
        const s = parseSettings({ ...validRaw(), acme: { ...validRaw().acme, directory } }, "dev");
        expect(s.acme.directoryKind).toBe("staging");
        expect(s.acme.directoryUrl).toBe(ACME_DIRECTORIES.staging);
        expectIssue(
            { ...validRaw(), acme: { ...validRaw().acme, directory: `${ACME_DIRECTORIES.production}/` } },
            "acme.directory",
            /production on stack dev/,
        );
    });

    it("acme.contact takes x@y and mailto:x@y, kept as the bare address", () => {
        const s = parseSettings(
            {
                ...validRaw(),
                acme: {
                    ...validRaw().acme,
                    contact: ["mailto:postmaster@infinidim.net", "ops@infinidim.net", "postmaster@infinidim.net"],
                },
            },
            "dev",
        );
        expect(s.acme.contact).toEqual(["postmaster@infinidim.net", "ops@infinidim.net"]);
        expect(
            parseSettings({ ...validRaw(), acme: { ...validRaw().acme, contact: "mailto:ops@infinidim.net" } }, "dev")
                .acme.contact,
        ).toEqual(["ops@infinidim.net"]);
        expectIssue(
            { ...validRaw(), acme: { ...validRaw().acme, contact: ["mailto:ops"] } },
            "acme.contact",
            /must be an email address/,
        );
    });

    it("redis.url query parameters: protocol is read, anything else is refused by name", () => {
        const url = (q: string) => ({
            ...validRaw(),
            redis: { url: `redis://slo-time-prod.tail7b1641.ts.net:6379/2${q}` },
        });
        expect(parseSettings(url("?protocol=3"), "dev").endpoints.redis).toMatchObject({ db: 2 });
        expect(parseSettings(url("?protocol=resp3"), "dev").redis.url).toBe(
            "redis://slo-time-prod.tail7b1641.ts.net:6379/2?protocol=resp3",
        );
        expectIssue(url("?protocol=4"), "redis.url", /has protocol=4; use protocol=2 or 3 or resp2 or resp3/);
        expectIssue(url("?db=5"), "redis.url", /selects the DB with \?db=; put the index in the path instead/);
        expectIssue(
            url("?timeout=5"),
            "redis.url",
            /has the query parameter "timeout", which Stalwart's Redis client does not read; remove it/,
        );
        expectIssue(
            { ...validRaw(), redis: { url: "redis://slo-time-prod.tail7b1641.ts.net:6379?protocol=3" } },
            "redis.url",
            /has no logical DB index/,
        );
    });

    it("stalwart.managementUrl must be an http(s) URL with an explicit port on a full DNS name", () => {
        const mgmt = (managementUrl: string) => ({
            ...validRaw(),
            stalwart: { ...validRaw().stalwart, managementUrl },
        });
        expect(parseSettings(mgmt("https://ts-stalwart.tail7b1641.ts.net:8443"), "dev").stalwart.managementUrl).toBe(
            "https://ts-stalwart.tail7b1641.ts.net:8443",
        );
        expectIssue(
            mgmt("http://ts-stalwart.tail7b1641.ts.net"),
            "stalwart.managementUrl",
            /has no explicit port; add it/,
        );
        expectIssue(mgmt("ts-stalwart.tail7b1641.ts.net:8080"), "stalwart.managementUrl", /is not a URL/);
        expectIssue(
            mgmt("ftp://ts-stalwart.tail7b1641.ts.net:8080"),
            "stalwart.managementUrl",
            /uses scheme ftp; expected http or https/,
        );
        expectIssue(mgmt("http://ts-stalwart:8080"), "stalwart.managementUrl", /not a full DNS name/);
    });
});

/** The issues at one path, as messages. */
const messagesAt = (raw: Record<string, unknown>, path: string, stack = "dev") =>
    issuesOf(raw, stack)
        .filter((i) => i.path === path)
        .map((i) => i.message);

describe("config review: Stalwart tags, docker hosts, every URL problem, missing blocks", () => {
    it("1. accepts v0.16 tags without a patch or without the v, with suffixes and digests; other versions are still refused", () => {
        for (const image of [
            "stalwartlabs/stalwart:v0.16",
            "stalwartlabs/stalwart:0.16.3",
            "stalwartlabs/stalwart:0.16",
            "stalwartlabs/stalwart:v0.16-alpine",
            "stalwartlabs/stalwart:v0.16@sha256:0123",
            "registry.infinidim.net:5000/stalwart:0.16.3@sha256:0123",
        ]) {
            expect(parseSettings({ ...validRaw(), stalwart: { image } }, "dev").stalwart.image, image).toBe(image);
        }
        expect(
            messagesAt({ ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:v0.17" } }, "stalwart.image"),
        ).toEqual([
            'stalwart.image tag "v0.17" is not a v0.16 release; use v0.16 or v0.16.<patch>, e.g. stalwartlabs/stalwart:v0.16.18 (this project manages the v0.16 settings schema; 1.0 needs a migration)',
        ]);
        expectIssue(
            { ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:0.160" } },
            "stalwart.image",
            /not a v0\.16 release/,
        );
        expectIssue(
            { ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:latest" } },
            "stalwart.image",
            /not pinned/,
        );
        // the v0.16 line itself deploys, with a warning that a restart may pull a newer patch
        expect(
            parseSettings({ ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:v0.16" } }, "dev").warnings,
        ).toEqual([
            expect.objectContaining({
                path: "stalwart.image",
                message: expect.stringMatching(/follows the v0\.16 line.*pin one/),
            }),
        ]);
        expect(
            parseSettings({ ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:v0.16@sha256:0123" } }, "dev")
                .warnings,
        ).toEqual([]);
        expect(
            parseSettings({ ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:v0.16.18" } }, "dev").warnings,
        ).toEqual([]);
    });

    it("2. a docker host on a bare name is refused: the mailbox is told <host>.<tailnet>, the edge a public or tailnet name", () => {
        const raw = validRaw();
        const issues = expectPaths(
            {
                ...raw,
                mailbox: { dockerHost: "ssh://deploy@mailbox" },
                edge: { ...raw.edge, dockerHost: "ssh://root@edge" },
            },
            ["mailbox.dockerHost", "edge.dockerHost"],
        );
        expect(issues.find((i) => i.path === "mailbox.dockerHost")!.message).toBe(
            'mailbox.dockerHost "ssh://deploy@mailbox" has the bare host "mailbox", which resolves only where tailnet DNS search happens to apply; write its full MagicDNS name or an IP address, e.g. ssh://deploy@mailbox.tail7b1641.ts.net',
        );
        expect(issues.find((i) => i.path === "edge.dockerHost")!.message).toBe(
            'edge.dockerHost "ssh://root@edge" has the bare host "edge"; write a full DNS name (its public name, or <host>.<tailnet>) or an IP address, e.g. ssh://root@edge.infinidim.net or ssh://root@edge.tail7b1641.ts.net',
        );
    });

    it("2. tcp:// needs an explicit port; IPs, full names, ssh ports, unix:// and npipe:// are accepted", () => {
        const raw = validRaw();
        // tcp:// comes with TLS material (issue 10): without it, it is refused on its own
        const tls = (host: string) => (host.startsWith("tcp://") ? { dockerTls: encryptedDockerTls() } : {});
        const hosts = (mailbox: string, edge: string) => ({
            ...raw,
            mailbox: { dockerHost: mailbox, ...tls(mailbox) },
            edge: { ...raw.edge, dockerHost: edge, ...tls(edge) },
        });
        expect(messagesAt(hosts("tcp://mailbox.tail7b1641.ts.net", raw.edge.dockerHost), "mailbox.dockerHost")).toEqual(
            [
                'mailbox.dockerHost "tcp://mailbox.tail7b1641.ts.net" has no explicit port; add it, e.g. tcp://mailbox.tail7b1641.ts.net:2376 (Docker\'s TLS port)',
            ],
        );
        expectIssue(hosts(raw.mailbox.dockerHost, "tcp://edge:2376"), "edge.dockerHost", /bare host "edge"/);
        expectIssue(
            hosts("ssh://deploy@mailbox.tail7b1641.ts.net:99999", raw.edge.dockerHost),
            "mailbox.dockerHost",
            /port "99999", which is not a TCP port/,
        );
        expectIssue(
            hosts("ssh://deploy@bad_host.tail7b1641.ts.net", raw.edge.dockerHost),
            "mailbox.dockerHost",
            /has the host "bad_host\.tail7b1641\.ts\.net" is not a valid DNS name/,
        );
        for (const [mailbox, edge] of [
            ["ssh://deploy@100.64.0.7", "ssh://root@203.0.113.5:2222"],
            ["tcp://[fd7a:115c:a1e0::7]:2376", "ssh://root@edge.tail7b1641.ts.net"],
            ["tcp://mailbox.tail7b1641.ts.net:2376", "tcp://edge.infinidim.net:2375"],
            ["unix:///var/run/docker.sock", "npipe:////./pipe/docker_engine"],
        ] as const) {
            expect(() => parseSettings(hosts(mailbox, edge), "dev"), `${mailbox} ${edge}`).not.toThrow();
        }
    });

    it("3. every problem of a Redis URL is reported, one issue each at redis.url", () => {
        expect(messagesAt({ ...validRaw(), redis: { url: "redis://redis:6379" } }, "redis.url")).toEqual([
            'redis.url host "redis" is not a full DNS name: bare MagicDNS names fail silently; write it as <host>.<tailnet>, e.g. "redis.tail7b1641.ts.net"',
            'redis.url "redis://redis:6379" has no logical DB index; end it with /<0-15>, e.g. redis://redis.tail7b1641.ts.net:6379/3, so Stalwart does not share DB 0 with other apps',
        ]);
        const all = messagesAt({ ...validRaw(), redis: { url: "redis://redis/99?db=2" } }, "redis.url");
        expect(all).toHaveLength(4);
        expect(all.join("\n")).toMatch(/no explicit port[\s\S]*not a full DNS name[\s\S]*\?db=[\s\S]*selects DB 99/);
    });

    it("3. every problem of an endpoint is reported, one issue each; callers still get the first as `problem`", () => {
        expect(
            messagesAt(
                { ...validRaw(), garage: { ...validRaw().garage, s3Endpoint: "http://garage" } },
                "garage.s3Endpoint",
            ),
        ).toEqual([
            'garage.s3Endpoint "http://garage" has no explicit port; add it, e.g. http://garage.tail7b1641.ts.net:<port>',
            'garage.s3Endpoint host "garage" is not a full DNS name: bare MagicDNS names fail silently; write it as <host>.<tailnet>, e.g. "garage.tail7b1641.ts.net"',
        ]);
        expect(
            messagesAt(
                { ...validRaw(), garage: { ...validRaw().garage, adminEndpoint: "ftp://u:pw@garage:3903?x=1" } },
                "garage.adminEndpoint",
            ),
        ).toHaveLength(4);
        const one = parseEndpoint("http://garage", ["http"]);
        expect(one.problem).toBe(one.problems[0]);
        expect(one.endpoint).toBeUndefined();
        expect(parseEndpoint("http://garage.tail7b1641.ts.net:3900", ["http"])).toMatchObject({
            problems: [],
            endpoint: { host: "garage.tail7b1641.ts.net", port: 3900 },
        });
        const redis = parseRedisUrl("redis://redis:6379");
        expect(redis.problems).toHaveLength(2);
        expect(redis.problem).toBe(redis.problems[0]);
        expect(parseRedisUrl("redis://r.tail7b1641.ts.net:6379/2")).toEqual({
            target: { host: "r.tail7b1641.ts.net", port: 6379, db: 2, credentials: false },
            problems: [],
        });
    });

    it("4. a missing block is reported as each required key inside it, each with an example value", () => {
        const issues = issuesOf({});
        const byPath = Object.fromEntries(issues.map((i) => [i.path, i.message]));
        expect(byPath.domain).toBe(
            "domain is required; set it with `pulumi config set tailwart:domain <value>` (see the README's config reference)",
        );
        expect(byPath["stalwart.image"]).toBe(
            "stalwart.image is required; set it, e.g. `pulumi config set --path tailwart:stalwart.image stalwartlabs/stalwart:v0.16.18` (see the README's config reference)",
        );
        expect(byPath["mailbox.dockerHost"]).toMatch(
            /^mailbox\.dockerHost is required; set it, e\.g\. `pulumi config set --path tailwart:mailbox\.dockerHost ssh:\/\/deploy@mailbox\.tailXXXX\.ts\.net`/,
        );
        expect(byPath["edge.dockerHost"]).toMatch(
            /^edge\.dockerHost is required; set it, e\.g\. `pulumi config set --path tailwart:edge\.dockerHost ssh:\/\/deploy@edge\.example\.com`/,
        );
        expect(byPath["postgres.host"]).toMatch(
            /^postgres\.host is required; set it, e\.g\. `pulumi config set --path tailwart:postgres\.host postgres\.tailXXXX\.ts\.net`/,
        );
        expect(byPath["redis.url"]).toMatch(
            /^redis\.url is required; set it, e\.g\. `pulumi config set --path tailwart:redis\.url redis:\/\/redis\.tailXXXX\.ts\.net:6379\/3`; with a password in it, add --secret/,
        );
        expect(byPath["garage.s3Endpoint"]).toMatch(
            /^garage\.s3Endpoint is required; set it, e\.g\. `pulumi config set --path tailwart:garage\.s3Endpoint http:\/\/garage\.tailXXXX\.ts\.net:3900`/,
        );
        expect(byPath["garage.adminEndpoint"]).toMatch(
            /^garage\.adminEndpoint is required; set it, e\.g\. `pulumi config set --path tailwart:garage\.adminEndpoint http:\/\/garage\.tailXXXX\.ts\.net:3903`/,
        );
        // examples use the stack's own tailnet and domain once those are given
        const raw = validRaw();
        delete raw.mailbox;
        delete raw.edge;
        expect(messagesAt(raw, "mailbox.dockerHost")).toEqual([
            expect.stringContaining("ssh://deploy@mailbox.tail7b1641.ts.net"),
        ]);
        expect(messagesAt(raw, "edge.dockerHost")).toEqual([
            expect.stringContaining("ssh://deploy@edge.infinidim.net"),
        ]);
        // a block that is present but lacks its key reads the same
        expect(messagesAt({ ...validRaw(), garage: { bucket: "b" } }, "garage.s3Endpoint")).toEqual([
            expect.stringMatching(/^garage\.s3Endpoint is required; set it, e\.g\./),
        ]);
    });
});

describe("config review: ACME directory and DNS provider, tailscale spellings, lists as text", () => {
    it("5. settings.acme.directory holds the resolved directory: the stack's default name, the name given, or the URL as given", () => {
        const raw = validRaw();
        const dir = (directory: string | undefined, stack = "dev") => {
            const s = parseSettings(
                { ...raw, acme: { ...raw.acme, ...(directory === undefined ? {} : { directory }) } },
                stack,
            ).acme;
            return [s.directory, s.directoryUrl, s.directoryKind];
        };
        expect(dir(undefined)).toEqual(["staging", ACME_DIRECTORIES.staging, "staging"]);
        expect(dir(undefined, "prod")).toEqual(["production", ACME_DIRECTORIES.production, "production"]);
        expect(dir(undefined, "qa")).toEqual(["staging", ACME_DIRECTORIES.staging, "staging"]);
        expect(dir("Staging")).toEqual(["staging", ACME_DIRECTORIES.staging, "staging"]);
        expect(dir(`${ACME_DIRECTORIES.staging}/`)).toEqual([
            `${ACME_DIRECTORIES.staging}/`,
            ACME_DIRECTORIES.staging,
            "staging",
        ]);
        expect(dir("https://acme.example.net/dir")).toEqual([
            "https://acme.example.net/dir",
            "https://acme.example.net/dir",
            "custom",
        ]);
    });

    it("6. acme.dnsProvider takes a provider's name alone, and @type in any case, written as Stalwart spells it", () => {
        const raw = validRaw();
        const provider = (dnsProvider: unknown) =>
            parseSettings({ ...raw, acme: { challenge: "dns-01", dnsProvider } }, "dev").acme;
        expect(provider("cloudflare").dnsProvider).toEqual({ "@type": "Cloudflare" });
        expect(provider("cloudflare").challenge).toBe("dns-01");
        expect(provider(" Route53 ").dnsProvider).toEqual({ "@type": "Route53" });
        expect(provider("digital-ocean").dnsProvider).toEqual({ "@type": "DigitalOcean" });
        expect(provider({ "@type": "cLoUdFlArE", email: "dns@infinidim.net" }).dnsProvider).toEqual({
            "@type": "Cloudflare",
            email: "dns@infinidim.net",
        });
        // a bare name is enough to choose dns-01 without a challenge set, with no warning
        const s = parseSettings(
            { ...raw, edge: { ...raw.edge, ports: [25] }, acme: { dnsProvider: "hetzner" } },
            "dev",
        );
        expect(s.acme.challenge).toBe("dns-01");
        expect(s.warnings).toEqual([]);
        expect(buildPlan(s).stalwart.objects[0]).toMatchObject({
            objectType: "x:DnsServer",
            properties: { "@type": "Hetzner" },
        });
        expect(
            messagesAt({ ...raw, acme: { challenge: "dns-01", dnsProvider: "cloudflre" } }, "acme.dnsProvider"),
        ).toEqual([
            'acme.dnsProvider "@type" "cloudflre" is not a DNS provider Stalwart v0.16 knows; did you mean Cloudflare? see x:DnsServer for the list (Cloudflare, Route53, Ovh, …)',
        ]);
    });

    it("7. tailscale.auth takes oauth-client/oauthClient and tailnet-key/authKey, normalized", () => {
        const auth = (value: string, extra: Record<string, unknown> = {}) =>
            parseSettings({ ...validRaw(), tailscale: { auth: value, ...extra } }, "dev").tailscale.auth;
        const secret = { oauthClientSecret: "tskey-client-x" };
        expect(auth("oauth-client", secret)).toBe("oauth");
        expect(auth("oauthClient", secret)).toBe("oauth");
        expect(auth("OAuth", secret)).toBe("oauth");
        expect(auth("tailnet-key")).toBe("tailnetKey");
        expect(auth("authKey")).toBe("tailnetKey");
        expect(messagesAt({ ...validRaw(), tailscale: { auth: "magic" } }, "tailscale.auth")).toEqual([
            "tailscale.auth must be tailnetKey (also written tailnet-key or authKey) or oauth (also oauth-client or oauthClient)",
        ]);
        // the spelling is normalized before the rules read it
        expectIssue(
            { ...validRaw(), tailscale: { auth: "oauth-client" } },
            "tailscale.oauthClientSecret",
            /tailscale\.auth is oauth but tailscale\.oauthClientSecret is not set/,
        );
    });

    it("7. tailscale.oauthClientId is accepted as plain text and shown in the plan; a key put there is refused without echoing it", () => {
        const s = parseSettings(
            {
                ...validRaw(),
                tailscale: { auth: "oauth", oauthClientId: "k1AbCdEf2CNTRL", oauthClientSecret: "tskey-client-SECRET" },
            },
            "dev",
        );
        expect(s.tailscale.oauthClientId).toBe("k1AbCdEf2CNTRL");
        const plan = buildPlan(s);
        expect(plan.tailnet.auth).toMatchObject({ kind: "oauth", oauthClientId: "k1AbCdEf2CNTRL" });
        expect(formatPlan(plan)).toContain("  OAuth client k1AbCdEf2CNTRL (tailscale.oauthClientId)");
        expect(buildPlan(parseSettings(validRaw(), "dev")).tailnet.auth).not.toHaveProperty("oauthClientId");
        const issues = messagesAt(
            { ...validRaw(), tailscale: { oauthClientId: "tskey-client-LEAK" } },
            "tailscale.oauthClientId",
        );
        expect(issues).toEqual([
            expect.stringMatching(
                /^tailscale\.oauthClientId holds a key \(it starts with tskey-\).*tailscale\.oauthClientSecret/,
            ),
        ]);
        expect(issues.join()).not.toContain("LEAK");
    });

    it("7. a pre-made tailscale.authKey is refused with the reason (not supported by the sidecar)", () => {
        expect(
            messagesAt({ ...validRaw(), tailscale: { auth: "authKey", authKey: "tskey-auth-x" } }, "tailscale.authKey"),
        ).toEqual([expect.stringMatching(/^tailscale\.authKey \(a pre-made auth key\) is not supported/)]);
    });

    it("8. an http ACME directory (a local test CA) is accepted with a warning; other schemes are refused", () => {
        const s = parseSettings({ ...validRaw(), acme: { directory: "http://pebble:14000/dir" } }, "dev");
        expect(s.acme.directory).toBe("http://pebble:14000/dir");
        expect(s.acme.directoryUrl).toBe("http://pebble:14000/dir");
        expect(s.warnings).toEqual([
            {
                path: "acme.directory",
                message:
                    'acme.directory "http://pebble:14000/dir" is plain http: fine for a local test CA (e.g. Pebble), but every other ACME server, Let\'s Encrypt included, serves its directory over https; use https:// unless this is a test CA',
            },
        ]);
        expect(formatPlan(buildPlan(s))).toMatch(
            /== warnings[^\n]*\n {2}- acme\.directory "http:\/\/pebble:14000\/dir" is plain http/,
        );
        expect(
            parseSettings({ ...validRaw(), acme: { directory: "https://pebble:14000/dir" } }, "dev").warnings,
        ).toEqual([]);
        expectIssue(
            { ...validRaw(), acme: { directory: "ftp://pebble:14000/dir" } },
            "acme.directory",
            /must be staging, production or an https:\/\/ ACME directory URL \(http:\/\/ only for a local test CA/,
        );
    });

    it("9. a list given as text: an item of the wrong type is named, never called required", () => {
        const ports = (value: unknown) => ({ ...validRaw(), edge: { ...validRaw().edge, ports: value } });
        expect(messagesAt(ports("25,abc"), "edge.ports")).toEqual([
            'edge.ports has "abc", which is not a port number; write e.g. [25, 465, 587, 143, 993]',
        ]);
        expect(messagesAt(ports('[25, "abc"]'), "edge.ports")).toEqual([
            'edge.ports has "abc", which is not a port number; write e.g. [25, 465, 587, 143, 993]',
        ]);
        expect(messagesAt(ports([25, "abc"]), "edge.ports")).toEqual([
            'edge.ports has "abc", which is not a port number; write e.g. [25, 465, 587, 143, 993]',
        ]);
        for (const raw of [ports("25,abc"), ports("[25, abc]"), ports("[25, 465, 443")]) {
            expect(
                issuesOf(raw)
                    .map((i) => i.message)
                    .join("\n"),
            ).not.toMatch(/required/);
        }
    });

    it("9. the JSON-array text form is a list (as `pulumi config set` users write it)", () => {
        const edge = (extra: Record<string, unknown>) =>
            parseSettings({ ...validRaw(), edge: { ...validRaw().edge, ...extra } }, "dev").edge;
        expect(edge({ ports: "[25, 465, 443]" }).ports).toEqual([25, 465, 443]);
        expect(edge({ ports: '["25", "465", "443"]' }).ports).toEqual([25, 465, 443]);
        expect(edge({ ports: " [25,465,443] " }).ports).toEqual([25, 465, 443]);
        expect(edge({ tags: "[tag:edge, tag:public]" }).tags).toEqual(["tag:edge", "tag:public"]);
        expect(edge({ dns: '["100.100.100.100"]' }).dns).toEqual(["100.100.100.100"]);
        expect(
            parseSettings({ ...validRaw(), acme: { ...validRaw().acme, contact: '["ops@infinidim.net"]' } }, "dev").acme
                .contact,
        ).toEqual(["ops@infinidim.net"]);
    });
});
