// check() of the serialized x:* provider, run by the SDK's dynamic-provider host over gRPC: the
// normalization (IDNA domain names via a `require("node:url")` inside the bundle, alias local parts,
// empty keys) works where the engine runs it, not only in-process. No server is needed for check.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stalwartProvider } from "../../components/stalwart/provider";
import { ProviderHost, serializeProvider } from "../support/providerHost";

let host: ProviderHost;
const texts = new Map<string, string>();
const provider = async (type: string) => {
    if (!texts.has(type)) texts.set(type, await serializeProvider(stalwartProvider(type)));
    return texts.get(type)!;
};

beforeAll(async () => {
    host = await ProviderHost.start({
        env: {
            STALWART_URL: undefined,
            STALWART_TOKEN: undefined,
            STALWART_USER: undefined,
            STALWART_PASSWORD: undefined,
        },
    });
});
afterAll(async () => {
    await host?.stop();
});

describe("check inside the dynamic-provider host", () => {
    it("x:Domain: a Unicode name and aliases become lower-case A-labels; an empty alias is refused by name", async () => {
        const ok = await host.check(
            {},
            {
                objectType: "x:Domain",
                properties: { name: "Bücher.TEST", aliases: ["MÜNCHEN.test"] },
                __provider: await provider("x:Domain"),
            },
        );
        expect(ok.failures).toEqual([]);
        expect(ok.inputs.properties).toEqual({ name: "xn--bcher-kva.test", aliases: { "xn--mnchen-3ya.test": true } });
        const bad = await host.check(
            {},
            {
                objectType: "x:Domain",
                properties: { name: "ok.test", aliases: { "": true } },
                __provider: await provider("x:Domain"),
            },
        );
        expect(bad.failures.map((f) => f.property)).toEqual(["properties.aliases"]);
    });

    it("x:Account: alias local parts lower-cased", async () => {
        const r = await host.check(
            {},
            {
                objectType: "x:Account",
                properties: {
                    "@type": "User",
                    name: "Alice",
                    domainId: "b",
                    aliases: [{ name: "PostMaster", domainId: "b" }],
                },
                __provider: await provider("x:Account"),
            },
        );
        expect(r.failures).toEqual([]);
        expect(r.inputs.properties).toMatchObject({
            name: "alice",
            aliases: { "0": { name: "postmaster", domainId: "b" } },
        });
    });
});
