import { describe, expect, it } from "vitest";
import { type DataStoreSettings, dataStoreDocument, renderConfigJson } from "../../components/plan/configJson";

const base: DataStoreSettings = {
    host: "the-record-prod.tail7b1641.ts.net",
    port: 5432,
    database: "stalwart",
    user: "stalwart",
    passwordEnv: "STALWART_DB_PASSWORD",
    useTls: false,
};

describe("dataStoreDocument", () => {
    it("is one PostgreSql DataStore whose password is an EnvironmentVariable reference", () => {
        expect(dataStoreDocument(base)).toEqual({
            "@type": "PostgreSql",
            useTls: false,
            host: "the-record-prod.tail7b1641.ts.net",
            port: 5432,
            database: "stalwart",
            authUsername: "stalwart",
            authSecret: { "@type": "EnvironmentVariable", variableName: "STALWART_DB_PASSWORD" },
        });
    });

    it("writes optional keys under Stalwart's names only when they are set", () => {
        const doc = dataStoreDocument({
            ...base,
            useTls: true,
            allowInvalidCerts: true,
            poolMaxConnections: 20,
            timeoutMs: 30000,
        });
        expect(doc).toMatchObject({ useTls: true, allowInvalidCerts: true, poolMaxConnections: 20, timeout: 30000 });
        expect(Object.keys(dataStoreDocument(base))).not.toContain("timeout");
        expect(Object.keys(dataStoreDocument(base))).not.toContain("poolMaxConnections");
        expect(Object.keys(dataStoreDocument(base))).not.toContain("allowInvalidCerts");
    });

    it("never carries a password value, only the variable's name", () => {
        const text = JSON.stringify(dataStoreDocument(base));
        expect(text).not.toMatch(/"secret"|"Value"/);
        expect(text).toContain('"variableName":"STALWART_DB_PASSWORD"');
    });

    it("accepts IP addresses and localhost as hosts", () => {
        for (const host of ["100.64.1.2", "fd7a:115c:a1e0::1", "localhost"]) {
            expect(dataStoreDocument({ ...base, host })["host"]).toBe(host);
        }
    });
});

describe("renderConfigJson", () => {
    it("renders 2-space JSON with a final newline that parses back to the document", () => {
        const text = renderConfigJson(base);
        expect(text.endsWith("}\n")).toBe(true);
        expect(text.split("\n")[1]).toBe('  "@type": "PostgreSql",');
        expect(JSON.parse(text)).toEqual(dataStoreDocument(base));
    });

    it("is byte-identical for identical settings, whatever the key order of the input", () => {
        const reordered: DataStoreSettings = {
            useTls: false,
            passwordEnv: "STALWART_DB_PASSWORD",
            user: "stalwart",
            database: "stalwart",
            port: 5432,
            host: base.host,
        };
        expect(renderConfigJson(reordered)).toBe(renderConfigJson(base));
    });
});
