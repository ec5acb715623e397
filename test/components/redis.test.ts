import { beforeAll, describe, expect, it } from "vitest";
import { clearOccurrences, installMocks, type Registry, resolved, secretness, settle } from "./harness";

type Mod = typeof import("../../components/backends/redis");
let registry: Registry;
let mod: Mod;

beforeAll(async () => {
    registry = await installMocks({ stack: "dev" });
    mod = await import("../../components/backends/redis");
});

const PASSWORD = "hunter2-redis-SECRET";

describe("RedisDatabase", () => {
    it("hands out the URL's parts and creates nothing", async () => {
        const r = new mod.RedisDatabase("redis", { url: "redis://slo-time-prod.tail7b1641.ts.net:6379/3" });
        expect(await secretness(r.url)).toEqual({
            value: "redis://slo-time-prod.tail7b1641.ts.net:6379/3",
            secret: false,
        });
        expect(await resolved(r.host)).toBe("slo-time-prod.tail7b1641.ts.net");
        expect(await resolved(r.port)).toBe(6379);
        expect(await resolved(r.db)).toBe(3);
        await settle(registry);
        expect(registry.all.map((x) => x.type)).toEqual(["tailwart:backends:RedisDatabase"]);
    });

    it.each([
        ["redis://slo-time-prod:6379/3", /not a full DNS name/],
        ["redis://slo-time-prod.tail7b1641.ts.net/3", /no explicit port/],
        ["redis://slo-time-prod.tail7b1641.ts.net:6379", /no logical DB index/],
        ["redis://slo-time-prod.tail7b1641.ts.net:6379/16", /selects DB 16/],
    ])("refuses %s, naming the problem", (url, problem) => {
        expect(() => new mod.RedisDatabase(`bad-${url.length}`, { url })).toThrow(problem);
    });

    it("makes a URL holding a password a Pulumi secret; its parts stay plain", async () => {
        const url = `redis://:${PASSWORD}@slo-time-prod.tail7b1641.ts.net:6379/2`;
        const r = new mod.RedisDatabase("redis-pw", { url });
        expect(await secretness(r.url)).toEqual({ value: url, secret: true });
        expect(await secretness(r.host)).toEqual({ value: "slo-time-prod.tail7b1641.ts.net", secret: false });
        expect(await secretness(r.db)).toEqual({ value: 2, secret: false });
    });

    it("keeps a config Secret secret even without a password, and reveals it only to Pulumi", async () => {
        const { Secret } = await import("../../components/config/secret");
        const r = new mod.RedisDatabase("redis-secret", {
            url: new Secret("redis://slo-time-prod.tail7b1641.ts.net:6379/5"),
        });
        expect(await secretness(r.url)).toEqual({
            value: "redis://slo-time-prod.tail7b1641.ts.net:6379/5",
            secret: true,
        });
    });

    it("never shows the password in its error", () => {
        const url = `redis://:${PASSWORD}@slo-time-prod.tail7b1641.ts.net:6379`;
        expect(() => new mod.RedisDatabase("bad-pw", { url })).toThrow(
            /redis\.url "redis:\/\/:\*\*\*@slo-time-prod\.tail7b1641\.ts\.net:6379" has no logical DB index/,
        );
        expect(() => new mod.RedisDatabase("bad-pw2", { url })).not.toThrow(new RegExp(PASSWORD));
    });
});

describe("redis.url with a password through MailDeployment", () => {
    it("reaches x:InMemoryStore and the stack output only as a secret, never in clear in any resource", async () => {
        const { parseSettings } = await import("../../components/config");
        const { MailDeployment } = await import("../../components/deploy/deployment");
        const { validRaw } = await import("../support/stackConfig");
        const url = `redis://:${PASSWORD}@slo-time-prod.tail7b1641.ts.net:6379/2`;
        const settings = parseSettings(
            {
                ...validRaw(),
                redis: { url },
                acme: {
                    challenge: "dns-01",
                    dnsProvider: { "@type": "Cloudflare", secret: { "@type": "Value", secret: `cf-${PASSWORD}` } },
                },
            },
            "dev",
        );
        const d = new MailDeployment("pw", { settings });
        expect(await secretness(d.redis.url)).toEqual({ value: url, secret: true });
        await settle(registry);
        // The convergence's input is made of the objects' outputs: the InMemoryStore's tracked view is
        // wrapped secret by StalwartSettings, so no resource input holds the password in clear.
        const mine = registry.all.filter((r) => r.urn.includes("pw"));
        expect(mine.length).toBeGreaterThan(10);
        for (const r of mine) expect(clearOccurrences(r.inputs, PASSWORD), `${r.type}/${r.name}`).toEqual([]);
        // each object receives the real value, inside a secret envelope
        // the dns-01 credential travels as container env; x:DnsServer names the variable
        expect(
            JSON.stringify(registry.one("pulumi-nodejs:dynamic/stalwart:DnsServer", /^pw-settings-/).inputs.properties),
        ).toContain('"variableName":"STALWART_DNS_SECRET"');
        for (const [name, needle] of [["InMemoryStore", url]] as const) {
            const object = registry.one(`pulumi-nodejs:dynamic/stalwart:${name}`, /^pw-settings-/);
            expect(JSON.stringify(object.inputs.properties), name).toContain(needle);
            expect(clearOccurrences(object.inputs.properties, PASSWORD), name).toEqual([]);
        }
        // the server echoes redis.url back in clear (the schema does not call it secret): its outputs stay encrypted in state
        expect(
            registry.one("pulumi-nodejs:dynamic/stalwart:InMemoryStore", /^pw-settings-/).additionalSecretOutputs,
        ).toEqual(expect.arrayContaining(["properties", "managed"]));
        expect(
            registry.one("pulumi-nodejs:dynamic/stalwart:Tracer", /^pw-settings-/).additionalSecretOutputs,
        ).not.toContain("properties");
        // the plan the deployment keeps prints masked
        expect(JSON.stringify(d.plan)).not.toContain(PASSWORD);
    });
});
