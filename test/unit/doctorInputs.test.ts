/**
 * What the doctor reads from a stack file and the environment: the stalwart:* keys before the
 * STALWART_* variables (decision 008), the stack's management URL when neither names one, encrypted
 * values named and replaced by their documented variables (PGPASSWORD, TAILWART_REDIS_URL), a
 * lenient tailwart:oidc, and an invalid config as a ConfigError.
 */
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../components/config";
import { doctorTarget } from "../../components/doctor";
import { stackConfig } from "../doctor/support";

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const ENCRYPTED = { secure: "AAABAKsomething" };

describe("doctorTarget", () => {
    it("takes the URL and credentials from stalwart:* first, the environment's only for the same server", () => {
        const config = {
            ...stackConfig(undefined),
            "stalwart:url": "http://ts-stalwart.tail7b1641.ts.net:8080/",
            "stalwart:token": "API_fromconfig",
        };
        const t = doctorTarget("dev", config, { STALWART_URL: "http://elsewhere:8080", STALWART_TOKEN: "API_fromenv" });
        expect(t.stalwart).toEqual({
            url: "http://ts-stalwart.tail7b1641.ts.net:8080",
            authorization: "Bearer API_fromconfig",
            source: "credentials from config stalwart:token",
        });
    });

    it("reads an encrypted stalwart:token's stand-in from STALWART_USER/STALWART_PASSWORD, and names what is missing", () => {
        const config = {
            ...stackConfig(undefined),
            "stalwart:url": "http://ts-stalwart.tail7b1641.ts.net:8080",
            "stalwart:token": ENCRYPTED,
        };
        const withEnv = doctorTarget("dev", config, { STALWART_USER: "admin", STALWART_PASSWORD: "pw" });
        expect(withEnv.stalwart.authorization).toBe(basic("admin", "pw"));
        const without = doctorTarget("dev", config, {});
        expect(without.stalwart.authorization).toBeUndefined();
        expect(without.stalwart.source).toBe(
            "no credentials: stalwart:token is encrypted in Pulumi.dev.yaml, and neither STALWART_TOKEN nor STALWART_USER with STALWART_PASSWORD is set",
        );
    });

    it("falls back to STALWART_URL, then to the stack's management URL", () => {
        expect(
            doctorTarget("dev", stackConfig(undefined), {
                STALWART_URL: "http://127.0.0.1:8080",
                STALWART_TOKEN: "API_x",
            }).stalwart.url,
        ).toBe("http://127.0.0.1:8080");
        expect(doctorTarget("dev", stackConfig(undefined), {}).stalwart.url).toBe(
            "http://ts-stalwart.tail7b1641.ts.net:8080",
        );
    });

    it("takes the Postgres admin password from the stack when it is clear, else from PGPASSWORD, never showing it", () => {
        const clear = doctorTarget(
            "dev",
            stackConfig(undefined, (raw) => (raw.postgres.adminPassword = "from-stack")),
            { PGPASSWORD: "from-env" },
        );
        expect(clear.postgresAdmin).toEqual({
            user: "postgres",
            password: "from-stack",
            source: "password from tailwart:postgres.adminPassword",
        });
        const encrypted = doctorTarget(
            "dev",
            stackConfig(undefined, (raw) => (raw.postgres.adminPassword = ENCRYPTED)),
            { PGPASSWORD: "from-env" },
        );
        expect(encrypted.postgresAdmin).toEqual({
            user: "postgres",
            password: "from-env",
            source: "password from env PGPASSWORD",
        });
        const none = doctorTarget(
            "dev",
            stackConfig(undefined, (raw) => (raw.postgres.adminPassword = ENCRYPTED)),
            {},
        );
        expect(none.postgresAdmin.source).toBe(
            "tailwart:postgres.adminPassword is encrypted in Pulumi.dev.yaml and PGPASSWORD is unset",
        );
    });

    it("reads Redis's address from the URL, or from TAILWART_REDIS_URL when the URL is encrypted", () => {
        expect(doctorTarget("dev", stackConfig(undefined), {}).redis).toEqual({
            host: "slo-time-prod.tail7b1641.ts.net",
            port: 6379,
        });
        const encrypted = stackConfig(undefined, (raw) => (raw.redis.url = ENCRYPTED));
        expect(
            doctorTarget("dev", encrypted, { TAILWART_REDIS_URL: "redis://:pw@r.tail7b1641.ts.net:6380/2" }).redis,
        ).toEqual({ host: "r.tail7b1641.ts.net", port: 6380 });
        expect(
            doctorTarget("dev", encrypted, { TAILWART_REDIS_URL: "redis://r.tail7b1641.ts.net:6380" }).redis,
        ).toMatchObject({
            unknown: expect.stringMatching(/^TAILWART_REDIS_URL is not a Redis URL: .*no logical DB index/),
        });
    });

    it("reads tailwart:oidc's issuer; the config schema now checks the key with the rest", () => {
        const t = doctorTarget(
            "dev",
            stackConfig(
                undefined,
                (raw) => (raw.oidc = { issuerUrl: " https://id.example.org ", audience: "stalwart" }),
            ),
            {},
        );
        expect(t.oidc).toEqual({ issuerUrl: "https://id.example.org" });
        expect(() =>
            doctorTarget(
                "dev",
                stackConfig(
                    undefined,
                    (raw) => (raw.oidc = { issuerUrl: "https://id.example.org", audience: "stalwart", clientId: "x" }),
                ),
                {},
            ),
        ).toThrow(ConfigError);
        expect(() =>
            doctorTarget(
                "dev",
                stackConfig(undefined, (raw) => (raw.oidc = { audience: "stalwart" })),
                {},
            ),
        ).toThrow(/oidc\.issuerUrl is required/);
    });

    it("throws the config's own ConfigError for an invalid stack", () => {
        expect(() =>
            doctorTarget(
                "dev",
                stackConfig(undefined, (raw) => (raw.postgres.host = "postgres")),
                {},
            ),
        ).toThrow(ConfigError);
    });
});
