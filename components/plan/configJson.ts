/**
 * Stalwart v0.16's `/etc/stalwart/config.json`. The file is the serde JSON of ONE DataStore
 * value (here `@type: "PostgreSql"`); everything else (listeners, domains, blob/in-memory stores …)
 * lives in that store and is managed through the `x:*` API. The password never appears here:
 * `authSecret` names an environment variable that Stalwart resolves at start-up. Its input comes
 * from checked Settings (postgres.*) and topology.ts; nothing here validates it again.
 */
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

/** The DataStore object, in the server's own field order for the keys it writes. */
export function dataStoreDocument(s: DataStoreSettings): Record<string, unknown> {
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
