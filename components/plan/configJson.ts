/**
 * Stalwart v0.16's `/etc/stalwart/config.json`. The file is the serde JSON of ONE DataStore
 * value (here `@type: "PostgreSql"`); everything else (listeners, domains, blob/in-memory stores …)
 * lives in that store and is managed through the `x:*` API. The password never appears here:
 * `authSecret` names an environment variable that Stalwart resolves at start-up.
 */
import { assertEnvName, assertPort } from "./specChecks";

export interface DataStoreSettings {
    host: string;
    port: number;
    database: string;
    user: string;
    /** name of the env variable holding the role's password inside the Stalwart container */
    passwordEnv: string;
    useTls: boolean;
    allowInvalidCerts?: boolean;
    poolMaxConnections?: number;
    /** connection timeout in milliseconds (Stalwart durations in config.json are ms) */
    timeoutMs?: number;
}

function assertHost(host: string): void {
    if (host.trim() === "" || /[\s/]/.test(host) || host.includes("://")) {
        throw new Error(`DataStore host ${JSON.stringify(host)} is not a host name; give the Postgres server's FQDN or IP without scheme or port`);
    }
    const isIpv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
    const isIpv6 = host.includes(":");
    if (isIpv6 && !/^[0-9a-fA-F:]+$/.test(host)) {
        throw new Error(`DataStore host ${JSON.stringify(host)} looks like "host:port"; put the port in DataStoreSettings.port, not in the host`);
    }
    // Stalwart sits in the sidecar's netns, where a bare MagicDNS name does not resolve reliably.
    if (!isIpv4 && !isIpv6 && !host.includes(".") && host !== "localhost") {
        throw new Error(`DataStore host ${JSON.stringify(host)} is a bare name; use the full MagicDNS name (e.g. "${host}.<tailnet>.ts.net") or an IP`);
    }
}

function assertNonEmpty(field: string, value: string): void {
    if (value.trim() === "") {
        throw new Error(`DataStore ${field} is empty; give the Postgres ${field}`);
    }
}

function assertPositiveInt(field: string, value: number): void {
    if (!Number.isInteger(value) || value < 1) {
        throw new Error(`DataStore ${field} ${JSON.stringify(value)} must be a positive integer`);
    }
}

/** The DataStore object, in the server's own field order for the keys it writes. */
export function dataStoreDocument(s: DataStoreSettings): Record<string, unknown> {
    assertHost(s.host);
    assertPort("DataStore port", s.port);
    assertNonEmpty("database", s.database);
    assertNonEmpty("user", s.user);
    assertEnvName("DataStore passwordEnv", s.passwordEnv);
    if (s.poolMaxConnections !== undefined) assertPositiveInt("poolMaxConnections", s.poolMaxConnections);
    if (s.timeoutMs !== undefined) assertPositiveInt("timeoutMs", s.timeoutMs);

    const doc: Record<string, unknown> = { "@type": "PostgreSql" };
    // Optional keys are written only when set: omitted keys take Stalwart's own defaults.
    if (s.timeoutMs !== undefined) doc["timeout"] = s.timeoutMs;
    doc["useTls"] = s.useTls;
    if (s.allowInvalidCerts !== undefined) doc["allowInvalidCerts"] = s.allowInvalidCerts;
    if (s.poolMaxConnections !== undefined) doc["poolMaxConnections"] = s.poolMaxConnections;
    doc["host"] = s.host;
    doc["port"] = s.port;
    doc["database"] = s.database;
    doc["authUsername"] = s.user;
    doc["authSecret"] = { "@type": "EnvironmentVariable", variableName: s.passwordEnv };
    return doc;
}

/** config.json text: 2-space JSON with a final newline, identical for identical settings. */
export function renderConfigJson(s: DataStoreSettings): string {
    return `${JSON.stringify(dataStoreDocument(s), null, 2)}\n`;
}
