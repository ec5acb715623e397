import { describe, expect, it } from "vitest";
import { rawConfigFrom } from "../../components/config/programConfig";

describe("rawConfigFrom", () => {
    it("keeps tailwart:* keys without the prefix, parses JSON objects and lists, leaves scalars as text", () => {
        expect(
            rawConfigFrom({
                "tailwart:domain": "infinidim.net",
                "tailwart:allowDataLoss": "true",
                "tailwart:postgres": '{"host":"the-record-prod.tail7b1641.ts.net","port":5432}',
                "tailwart:edge": ' {"ports":[25,465]}',
                "tailwart:list": "[1,2]",
                "tailscale:apiKey": "tskey-api-x",
                "garage:adminToken": "t",
            }),
        ).toEqual({
            domain: "infinidim.net",
            allowDataLoss: "true",
            postgres: { host: "the-record-prod.tail7b1641.ts.net", port: 5432 },
            edge: { ports: [25, 465] },
            list: [1, 2],
        });
    });

    it("keeps malformed JSON as text, for the schema to report against its key", () => {
        expect(rawConfigFrom({ "tailwart:postgres": "{not json" })).toEqual({ postgres: "{not json" });
    });

    it("hands the secret-bearing fields of a key the engine marks secret over as Secrets, so they are not reported as held in clear", async () => {
        const { parseSettings } = await import("../../components/config");
        const { isSecret } = await import("../../components/config/secret");
        const { validRaw } = await import("../support/stackConfig");
        const all = Object.fromEntries(
            Object.entries({
                ...validRaw(),
                postgres: { ...validRaw().postgres, adminPassword: "pg-admin-password" },
                acme: {
                    ...validRaw().acme,
                    challenge: "dns-01",
                    dnsProvider: { "@type": "Cloudflare", secret: "cf-token" },
                },
            }).map(([k, v]) => [`tailwart:${k}`, typeof v === "string" ? v : JSON.stringify(v)]),
        );
        const marked = rawConfigFrom(all, (key) => key === "tailwart:postgres" || key === "tailwart:acme");
        expect(isSecret((marked.postgres as Record<string, unknown>).adminPassword)).toBe(true);
        expect((marked.postgres as Record<string, unknown>).host).toBe("the-record-prod.tail7b1641.ts.net");
        const quiet = parseSettings(marked, "dev");
        expect(quiet.warnings).toEqual([]);
        expect(quiet.postgres.adminPassword!.reveal()).toBe("pg-admin-password");
        // the same values under keys the engine does not mark: the stack file holds them in clear
        const loud = parseSettings(rawConfigFrom(all), "dev");
        expect(loud.warnings.map((w) => w.path).sort()).toEqual(["acme.dnsProvider.secret", "postgres.adminPassword"]);
    });
});
