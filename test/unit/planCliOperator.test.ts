// `npm run plan` for a stack that sets every operator key: what each key adds to the printed plan
// (objects, the identity provider's side, DNS records, the automation key), secrets only by name.
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { cliCommand } from "../support/cli";
import { PROJECT_ROOT, validRaw } from "../support/stackConfig";

const SECRETS = ["correct-horse-battery", "relay-pass-123", "s3cret-value"];

function planFor(raw: Record<string, unknown>, ...flags: string[]) {
    const dir = mkdtempSync(join(tmpdir(), "tailwart-plan-"));
    writeFileSync(
        join(dir, "Pulumi.ops.yaml"),
        stringify({ config: Object.fromEntries(Object.entries(raw).map(([k, v]) => [`tailwart:${k}`, v])) }),
    );
    return spawnSync(...cliCommand("plan", "--stack", "ops", "--dir", dir, ...flags), {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
        timeout: 60_000,
    });
}

function operatorRaw(): Record<string, any> {
    const raw = validRaw();
    raw.oidc = { issuerUrl: "https://id.infinidim.net/application/o/bulwark/", audience: "bulwark" };
    raw.accounts = [
        { name: "alice", aliases: ["alice@other.test"], password: { secure: "v1:ciphertext" } },
        { name: "bob" },
    ];
    raw.smarthost = {
        host: "smtp.relay.example.com",
        port: 587,
        username: "relay",
        password: { secure: "v1:ciphertext" },
        tls: "starttls",
    };
    raw.tracing = { level: "trace" };
    raw.stalwart.objects = [
        {
            key: "archive",
            objectType: "x:MtaRoute",
            properties: {
                "@type": "Relay",
                name: "archive",
                address: "archive.example.com",
                authSecret: { "@type": "Value", secret: "s3cret-value" },
            },
        },
    ];
    return raw;
}

describe("npm run plan with the operator keys", () => {
    let out: string;
    beforeAll(() => {
        const r = planFor(operatorRaw());
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        out = r.stdout;
    });

    it("oidc: the directory, and what the identity provider must be set up with, warning about the audience", () => {
        expect(out).toMatch(/x:Directory {10}oidc-directory: \{"@type":"Oidc".*"requireAudience":"bulwark"/);
        expect(out).toContain("== identity provider (oidc): what it must be set up with");
        expect(out).toContain("client_id stalwart-webui");
        expect(out).toContain("redirect URIs    https://mail.infinidim.net/account/oauth/callback");
        expect(out).toMatch(/tokens must carry iss=https:\/\/id\.infinidim\.net\/application\/o\/bulwark\//);
        expect(out).toMatch(/== warnings[\s\S]*oidc\.audience is "bulwark"/);
    });

    it("accounts: one x:Account each, the password as the argon2id hash the deploy makes, the extra domain", () => {
        expect(out).toMatch(
            /x:Account {12}account-alice@infinidim\.net: .* credentials\.0\.secret=<argon2id hash of the password>/,
        );
        expect(out).toMatch(
            /x:Account {12}account-bob@infinidim\.net: \{"@type":"User","name":"bob"\} domainId=<id of domain>/,
        );
        expect(out).toMatch(/x:Domain {13}domain-other\.test: \{"name":"other\.test"\}/);
    });

    it("smarthost: the relay route, its TLS strategy, the outbound route, the password as a container env secret", () => {
        expect(out).toMatch(
            /x:MtaRoute {11}smarthost-route: .*"authSecret":\{"@type":"EnvironmentVariable","variableName":"STALWART_SMARTHOST_PASSWORD"\}/,
        );
        expect(out).toMatch(/x:MtaOutboundStrategy outbound-strategy: .*"else":"'smarthost'"/);
        expect(out).toContain("env           STALWART_SMARTHOST_PASSWORD=<secret: smarthostPassword>");
    });

    it("tracing and stalwart.objects: the tracer's level, the extra object with its secret masked", () => {
        expect(out).toMatch(/x:Tracer {13}tracer-stdout: \{"@type":"Stdout","level":"trace"\}/);
        expect(out).toMatch(/x:MtaRoute {11}archive: .*"secret":"\[secret\]"/);
    });

    it("the DNS records each managed domain needs, and the automation key of the hand-off", () => {
        expect(out).toMatch(/MX {4}infinidim\.net +10 mail\.infinidim\.net\./);
        expect(out).toMatch(/TXT {3}_dmarc\.other\.test/);
        expect(out).toContain("== automation API key (hand-off from the recovery admin)");
        expect(out).toContain("signs in from     100.64.0.0/10 fd7a:115c:a1e0::/48 only");
    });

    it("no secret appears, in the text or the JSON", () => {
        const json = planFor(operatorRaw(), "--json");
        expect(json.status).toBe(0);
        expect(JSON.parse(json.stdout).stalwart.operator.automationKey.properties.allowedIps).toEqual({
            "100.64.0.0/10": true,
            "fd7a:115c:a1e0::/48": true,
        });
        for (const secret of SECRETS) {
            expect(out).not.toContain(secret);
            expect(json.stdout).not.toContain(secret);
        }
    });

    it("a bad key fails the plan naming it", () => {
        const raw = operatorRaw();
        raw.smarthost.host = "relay";
        raw.stalwart.objects[0].objectType = "x:MtaRoot";
        const r = planFor(raw);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/smarthost\.host "relay" is not a full DNS name/);
    });
});
