import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

export const PROJECT_ROOT = join(__dirname, "..", "..");

/** The `tailwart:` map of Pulumi.<stack>.yaml with the prefix removed, as parseSettings takes it. */
export function loadStackConfig(stack: string, root = PROJECT_ROOT): Record<string, unknown> {
    const doc = parse(readFileSync(join(root, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
    return stripNamespace(doc.config ?? {});
}

export function stripNamespace(config: Record<string, unknown>, namespace = "tailwart"): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(config).map(([k, v]) => [k.startsWith(`${namespace}:`) ? k.slice(namespace.length + 1) : k, v]),
    );
}

/** A valid config to mutate in tests: every required key, nothing else. */
export function validRaw(): Record<string, any> {
    return {
        domain: "infinidim.net",
        hostname: "mail.infinidim.net",
        tailnet: "tail7b1641.ts.net",
        stalwart: { image: "stalwartlabs/stalwart:v0.16.18" },
        mailbox: { dockerHost: "ssh://deploy@mailbox.tail7b1641.ts.net" },
        edge: {
            dockerHost: "ssh://deploy@edge.infinidim.net",
            ports: [25, 465, 587, 143, 993, 443],
            tailnetAddresses: ["100.101.102.103", "fd7a:115c:a1e0::1234"],
        },
        postgres: { host: "the-record-prod.tail7b1641.ts.net", port: 5432, database: "stalwart", role: "stalwart" },
        redis: { url: "redis://slo-time-prod.tail7b1641.ts.net:6379/3" },
        garage: {
            s3Endpoint: "http://garage.tail7b1641.ts.net:3900",
            adminEndpoint: "http://garage.tail7b1641.ts.net:3903",
            bucket: "stalwart-mail",
        },
        acme: { challenge: "tls-alpn-01", contact: ["postmaster@infinidim.net"] },
    };
}

/** dockerTls material as the stack file holds it when set with --secret (ciphertext: no PEM check offline, no clear-text warning). */
export function encryptedDockerTls(): Record<string, { secure: string }> {
    return { caCert: { secure: "v1:ca" }, cert: { secure: "v1:cert" }, key: { secure: "v1:key" } };
}
