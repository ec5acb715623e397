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
});
