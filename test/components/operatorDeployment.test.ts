// MailDeployment with every operator key set, under mocks: each password hashed by its own
// PasswordHash and reaching x:Account only as that secret hash, the relay's password as a secret
// container env variable, the OIDC directory handed to the convergence to bind, the automation key
// made in the automation account after the convergence, and the dnsRecords and stalwartApiKey outputs.
import { beforeAll, describe, expect, it } from "vitest";
import {
    clearOccurrences,
    defaultState,
    envLine,
    installMocks,
    type Registry,
    secretness,
    settle,
    resolved,
    unwrap,
} from "./harness";

const PASSWORD = "correct-horse-battery";
const RELAY = "relay-pass-123";
const HASH = "$argon2id$v=19$m=19456,t=2,p=1$bW9jaw$bW9ja2hhc2g";
const KEY = "API_mocked-automation-key";

let registry: Registry;
let d: InstanceType<typeof import("../../components/deploy/deployment").MailDeployment>;

beforeAll(async () => {
    registry = await installMocks({
        stack: "dev",
        state: (args) => {
            if (args.type === "pulumi-nodejs:dynamic/stalwart:PasswordHash") return { hash: HASH };
            if (args.type === "pulumi-nodejs:dynamic/stalwart:DnsRecords")
                return {
                    records: {
                        "infinidim.net": [
                            { name: "infinidim.net", type: "MX", value: "10 mail.infinidim.net", purpose: "mx" },
                        ],
                    },
                };
            if (args.type === "pulumi-nodejs:dynamic/stalwart:ApiKey")
                return { ...defaultState(args), createdSecret: KEY };
            return undefined;
        },
    });
    const { MailDeployment } = await import("../../components/deploy/deployment");
    const { parseSettings } = await import("../../components/config");
    const { validRaw } = await import("../support/stackConfig");
    const raw = validRaw();
    raw.oidc = { issuerUrl: "https://id.infinidim.net/o/stalwart/", audience: "stalwart-webui" };
    raw.accounts = [{ name: "alice", password: PASSWORD }, { name: "bob" }];
    raw.groups = [{ name: "team", members: ["alice"] }];
    raw.smarthost = { host: "smtp.relay.example.com", port: 465, username: "relay", password: RELAY, tls: "implicit" };
    d = new MailDeployment("mx", { settings: parseSettings(raw, "dev") });
    await resolved(d.dnsRecords);
    await settle(registry);
});

describe("MailDeployment with the operator keys", () => {
    it("hashes each password once and writes only the secret hash into x:Account", () => {
        const hash = registry.one("pulumi-nodejs:dynamic/stalwart:PasswordHash");
        expect(unwrap(hash.inputs.password)).toEqual({ value: PASSWORD, secret: true });
        expect(hash.additionalSecretOutputs).toEqual(expect.arrayContaining(["hash", "password"]));
        const alice = registry.one("pulumi-nodejs:dynamic/stalwart:Account", /account-alice/);
        const properties = unwrap(alice.inputs.properties);
        expect(properties.secret).toBe(true);
        expect(properties.value.credentials).toEqual({ "0": { "@type": "Password", secret: HASH } });
        expect(alice.additionalSecretOutputs).toEqual(expect.arrayContaining(["properties", "managed"]));
        expect(
            unwrap(registry.one("pulumi-nodejs:dynamic/stalwart:Account", /account-bob/).inputs.properties).value,
        ).not.toHaveProperty("credentials");
    });

    it("fills a member's memberGroupIds with its group's id", () => {
        const alice = registry.one("pulumi-nodejs:dynamic/stalwart:Account", /account-alice/);
        expect(unwrap(alice.inputs.properties).value.memberGroupIds).toEqual({
            "id-mx-settings-group-team@infinidim.net": true,
        });
    });

    it("hands the relay's password to Stalwart as a secret env variable only", () => {
        const stalwart = registry.ofType("docker:index/container:Container").find((c) => c.inputs.name === "stalwart")!;
        const env = envLine(stalwart.inputs, "STALWART_SMARTHOST_PASSWORD");
        expect(env).toEqual({ line: `STALWART_SMARTHOST_PASSWORD=${RELAY}`, secret: true });
        const route = registry.one("pulumi-nodejs:dynamic/stalwart:MtaRoute");
        expect(unwrap(route.inputs.properties).value.authSecret).toEqual({
            "@type": "EnvironmentVariable",
            variableName: "STALWART_SMARTHOST_PASSWORD",
        });
    });

    it("no password reaches any resource in clear", () => {
        for (const r of registry.all) {
            for (const secret of [PASSWORD, RELAY])
                expect(clearOccurrences(r.inputs, secret), `${r.type} ${r.name}`).toEqual([]);
        }
    });

    it("has the convergence bind the OIDC directory, and mints the key in the automation account after it", async () => {
        const convergence = registry.one("pulumi-nodejs:dynamic/stalwart:Convergence");
        const directory = registry.one("pulumi-nodejs:dynamic/stalwart:Directory");
        expect(convergence.inputs.defaultDirectoryId).toBe("id-mx-settings-oidc-directory");
        expect(directory.name).toBe("mx-settings-oidc-directory");
        expect(registry.ofType("pulumi-nodejs:dynamic/stalwart:Authentication")).toEqual([]);
        const key = registry.one("pulumi-nodejs:dynamic/stalwart:ApiKey");
        expect(key.inputs.accountId).toBe("id-mx-settings-automation-account");
        expect(key.dependencies).toContain(convergence.urn);
        expect(unwrap(key.inputs.properties).value).toMatchObject({
            permissions: { "@type": "Replace" },
            allowedIps: { "100.64.0.0/10": true, "fd7a:115c:a1e0::/48": true },
        });
        expect(await secretness(d.stalwartApiKey)).toEqual({ value: KEY, secret: true });
    });

    it("reads the DNS records of every managed domain after the convergence", async () => {
        const records = registry.one("pulumi-nodejs:dynamic/stalwart:DnsRecords");
        expect(records.dependencies).toContain(registry.one("pulumi-nodejs:dynamic/stalwart:Convergence").urn);
        expect(records.inputs.domainIds).toEqual(["id-mx-settings-domain"]);
        expect((await resolved(d.dnsRecords))["infinidim.net"]![0]).toMatchObject({ type: "MX" });
    });
});
