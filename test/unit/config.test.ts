import { describe, expect, it } from "vitest";
import { ACME_DIRECTORIES, ConfigError, parseSettings, Secret } from "../../components/config";
import { loadStackConfig, validRaw } from "../support/stackConfig";

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

function expectIssue(raw: Record<string, unknown>, path: string, message: RegExp, stack = "dev") {
    const issues = issuesOf(raw, stack);
    const hit = issues.find((i) => i.path === path);
    expect(hit, `no issue at ${path}; got ${JSON.stringify(issues)}`).toBeDefined();
    expect(hit!.message).toMatch(message);
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
        expect(parseSettings({ ...validRaw(), edge: { dockerHost: "unix:///var/run/docker.sock" }, acme: { challenge: "dns-01", dnsProvider: { "@type": "Cloudflare" } } }, "dev").edge.ports).toEqual([25, 465, 587, 143, 993]);
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
        expect(parseSettings({ ...raw, acme: { ...raw.acme, directory: "https://acme.example.net/dir" } }, "dev").acme.directoryKind).toBe("custom");
    });

    it("accepts top-level scalars as pulumi.Config hands them over (strings)", () => {
        const s = parseSettings({ ...validRaw(), allowDataLoss: "true", edge: { dockerHost: "tcp://e.infinidim.net:2376", ports: "25,465,443" } }, "dev");
        expect(s.allowDataLoss).toBe(true);
        expect(s.edge.ports).toEqual([25, 465, 443]);
    });

    it("tolerates keys that still carry the tailwart: prefix", () => {
        const prefixed = Object.fromEntries(Object.entries(validRaw()).map(([k, v]) => [`tailwart:${k}`, v]));
        expect(parseSettings(prefixed, "dev").domain).toBe("infinidim.net");
    });

    it("ignores other namespaces' keys", () => {
        expect(() => parseSettings({ ...validRaw(), "tailscale:apiKey": "x", "stalwart:url": "y" }, "dev")).not.toThrow();
    });
});

describe("parseSettings: every problem at once, each naming the key and the fix", () => {
    it("reports missing required keys together", () => {
        const paths = issuesOf({}).map((i) => i.path);
        expect(paths).toEqual(expect.arrayContaining(["domain", "hostname", "tailnet", "stalwart", "mailbox", "edge", "postgres", "redis", "garage"]));
        expect(issuesOf({})[0]!.message).toMatch(/pulumi config set/);
    });

    it("reports an unknown key with the rules still run", () => {
        const issues = issuesOf({ ...validRaw(), postgress: {}, redis: { url: "redis://r.tail7b1641.ts.net:6379" } });
        expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(["postgress", "redis.url"]));
    });

    it("reports a wrong type at its path", () => {
        expectIssue({ ...validRaw(), postgres: { ...validRaw().postgres, port: "five" } }, "postgres.port", /expected number/);
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
    it("a bare MagicDNS backend host is rejected", () => {
        expectIssue({ ...validRaw(), postgres: { host: "the-record" } }, "postgres.host", /not a full DNS name.*<host>\.<tailnet>/);
    });

    it("a bare tailnet name is rejected", () => {
        expectIssue({ ...validRaw(), tailnet: "tail7b1641" }, "tailnet", /not a full DNS name/);
    });

    it("an IP address where a DNS name belongs is rejected", () => {
        expectIssue({ ...validRaw(), postgres: { host: "100.64.0.7" } }, "postgres.host", /IP address.*MagicDNS name/);
    });

    it("a Garage endpoint without an explicit port is rejected", () => {
        expectIssue({ ...validRaw(), garage: { ...validRaw().garage, s3Endpoint: "http://garage.tail7b1641.ts.net" } }, "garage.s3Endpoint", /no explicit port; add it/);
        expectIssue({ ...validRaw(), garage: { ...validRaw().garage, adminEndpoint: "https://garage.tail7b1641.ts.net/" } }, "garage.adminEndpoint", /no explicit port/);
    });

    it("a Garage endpoint on a bare host is rejected", () => {
        expectIssue({ ...validRaw(), garage: { ...validRaw().garage, s3Endpoint: "http://garage:3900" } }, "garage.s3Endpoint", /not a full DNS name/);
    });

    it("a Redis URL without a logical DB index is rejected", () => {
        expectIssue({ ...validRaw(), redis: { url: "redis://slo-time-prod.tail7b1641.ts.net:6379" } }, "redis.url", /no logical DB index; end it with \/<0-15>/);
    });

    it("a Redis DB index above 15 is rejected", () => {
        expectIssue({ ...validRaw(), redis: { url: "redis://slo-time-prod.tail7b1641.ts.net:6379/16" } }, "redis.url", /DBs 0-15/);
    });

    it("a Redis URL without a port or on a bare host is rejected", () => {
        expectIssue({ ...validRaw(), redis: { url: "redis://slo-time-prod.tail7b1641.ts.net/3" } }, "redis.url", /no explicit port/);
        expectIssue({ ...validRaw(), redis: { url: "redis://slo-time-prod:6379/3" } }, "redis.url", /not a full DNS name/);
    });

    it("an unpinned Stalwart image (latest or no tag) is rejected", () => {
        expectIssue({ ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:latest" } }, "stalwart.image", /not pinned/);
        expectIssue({ ...validRaw(), stalwart: { image: "stalwartlabs/stalwart" } }, "stalwart.image", /not pinned.*v0\.16/);
    });

    it("a Stalwart image that is not a v0.16 tag is rejected", () => {
        expectIssue({ ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:v1.0.0" } }, "stalwart.image", /not a v0\.16 release/);
        expectIssue({ ...validRaw(), stalwart: { image: "stalwartlabs/stalwart:v0.15.4" } }, "stalwart.image", /not a v0\.16 release/);
    });

    it("pinned v0.16 images with registry ports, suffixes and digests are accepted", () => {
        for (const image of ["registry.infinidim.net:5000/stalwart:v0.16.18", "stalwartlabs/stalwart:v0.16.7-alpine", "stalwartlabs/stalwart:v0.16.18@sha256:0123"]) {
            expect(() => parseSettings({ ...validRaw(), stalwart: { image } }, "dev")).not.toThrow();
        }
    });

    it("a Tailscale tag not of the form tag:name is rejected", () => {
        expectIssue({ ...validRaw(), mailbox: { ...validRaw().mailbox, tags: ["stalwart"] } }, "mailbox.tags", /"stalwart", which is not a Tailscale tag; write it as tag:<name>/);
        expectIssue({ ...validRaw(), edge: { ...validRaw().edge, tags: ["tag:ok", "tag:bad tag"] } }, "edge.tags", /"tag:bad tag".*tag:<name>/);
    });

    it("http-01 without :80 forwarded is rejected", () => {
        expectIssue({ ...validRaw(), acme: { challenge: "http-01" } }, "acme.challenge", /http-01 needs the edge to forward :80.*add 80 to edge\.ports/);
        expect(() => parseSettings({ ...validRaw(), edge: { ...validRaw().edge, ports: [25, 80] }, acme: { challenge: "http-01" } }, "dev")).not.toThrow();
    });

    it("without acme.challenge, the challenge follows the topology", () => {
        const raw = validRaw();
        const pick = (ports: number[], acme: Record<string, unknown> = {}) => parseSettings({ ...raw, edge: { ...raw.edge, ports }, acme }, "dev").acme.challenge;
        expect(pick([25, 443])).toBe("tls-alpn-01");
        expect(pick([25, 80])).toBe("http-01");
        expect(pick([25], { dnsProvider: { "@type": "Cloudflare" } })).toBe("dns-01");
    });

    it("a topology that can serve no ACME challenge is rejected", () => {
        expectIssue({ ...validRaw(), edge: { ...validRaw().edge, ports: [25, 465, 587, 143, 993] }, acme: {} }, "acme.challenge", /no ACME challenge can be served.*add 443 to edge\.ports/);
    });

    it("tls-alpn-01 without :443 forwarded is rejected", () => {
        expectIssue({ ...validRaw(), edge: { ...validRaw().edge, ports: [25, 465, 587, 143, 993] }, acme: { challenge: "tls-alpn-01" } }, "acme.challenge", /tls-alpn-01 needs .*:443.*add 443 to edge\.ports/);
    });

    it("dns-01 without a DNS provider setting is rejected", () => {
        expectIssue({ ...validRaw(), acme: { challenge: "dns-01" } }, "acme.challenge", /dns-01 needs acme\.dnsProvider/);
    });

    it("stack prod on the staging directory is rejected unless acknowledged", () => {
        expectIssue({ ...validRaw(), acme: { ...validRaw().acme, directory: "staging" } }, "acme.directory", /staging directory on stack prod.*acceptDirectoryMismatch/, "prod");
        expect(() => parseSettings({ ...validRaw(), acme: { ...validRaw().acme, directory: "staging", acceptDirectoryMismatch: true } }, "prod")).not.toThrow();
    });

    it("stack dev on the production directory is rejected unless acknowledged", () => {
        expectIssue({ ...validRaw(), acme: { ...validRaw().acme, directory: "production" } }, "acme.directory", /production on stack dev.*acceptDirectoryMismatch/);
        expectIssue({ ...validRaw(), acme: { ...validRaw().acme, directory: ACME_DIRECTORIES.production } }, "acme.directory", /production on stack dev/);
        expect(() => parseSettings({ ...validRaw(), acme: { ...validRaw().acme, directory: "production", acceptDirectoryMismatch: true } }, "dev")).not.toThrow();
    });

    it("an ACME directory that is neither a name nor an https URL is rejected", () => {
        expectIssue({ ...validRaw(), acme: { ...validRaw().acme, directory: "letsencrypt" } }, "acme.directory", /staging, production or an https/);
    });

    it("a docker host that is not a docker URL is rejected", () => {
        expectIssue({ ...validRaw(), mailbox: { dockerHost: "mailbox.tail7b1641.ts.net" } }, "mailbox.dockerHost", /ssh:\/\/user@host/);
    });

    it("an edge port listed twice is rejected", () => {
        expectIssue({ ...validRaw(), edge: { ...validRaw().edge, ports: [25, 25, 443] } }, "edge.ports", /25 twice/);
    });

    it("oauth auth without its client secret is rejected, and a stray secret too", () => {
        expectIssue({ ...validRaw(), tailscale: { auth: "oauth" } }, "tailscale.oauthClientSecret", /pulumi config set --secret/);
        expectIssue({ ...validRaw(), tailscale: { auth: "tailnetKey", oauthClientSecret: "tskey-client-x" } }, "tailscale.auth", /set tailscale\.auth: oauth/);
    });
});

describe("secrets in settings", () => {
    it("are masked in JSON, strings and errors, and revealed only on request", () => {
        const s = parseSettings({ ...validRaw(), tailscale: { oauthClientSecret: "tskey-client-SECRET" }, postgres: { ...validRaw().postgres, adminPassword: "pg-SECRET" } }, "dev");
        expect(s.tailscale.auth).toBe("oauth");
        expect(JSON.stringify(s)).not.toMatch(/SECRET/);
        expect(String(s.postgres.adminPassword)).toBe(Secret.MASK);
        expect(s.postgres.adminPassword!.reveal()).toBe("pg-SECRET");
    });

    it("accept the encrypted form of the YAML file but refuse to reveal it", () => {
        const s = parseSettings({ ...validRaw(), postgres: { ...validRaw().postgres, adminPassword: { secure: "v1:abc" } } }, "dev");
        expect(s.postgres.adminPassword!.encrypted).toBe(true);
        expect(() => s.postgres.adminPassword!.reveal()).toThrow(/only available encrypted/);
    });

    it("a non-secret where a secret belongs names the key and the command", () => {
        expectIssue({ ...validRaw(), postgres: { ...validRaw().postgres, adminPassword: 42 } }, "postgres.adminPassword", /pulumi config set --secret/);
    });
});

describe("edge ports", () => {
    it("a port no Stalwart listener serves is rejected", () => {
        expectIssue({ ...validRaw(), edge: { ...validRaw().edge, ports: [25, 8443] } }, "edge.ports", /8443, which no Stalwart listener serves/);
    });
});
