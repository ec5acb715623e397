import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    engineSecret,
    ProviderHost,
    ProviderHostError,
    type PlainObject,
    SECRET_SIG,
    SECRET_SIG_KEY,
    serializeProvider,
    UNKNOWN,
} from "../support/providerHost";

/** The provider's "cloud": a map living in the host process (the provider is serialized, so no test-side state). */
function recordStore(): Map<string, PlainObject> {
    const holder = globalThis as { recordStore?: Map<string, PlainObject> };
    if (!holder.recordStore) holder.recordStore = new Map();
    return holder.recordStore;
}

// A tiny provider that keeps its "cloud" in the host process's memory; it captures only globals.
const recordProvider = {
    greeting: "",
    async configure(req: { config: { get(key: string): string | undefined } }) {
        recordProvider.greeting = req.config.get("greeting") ?? "(none)";
    },
    async check(_olds: PlainObject, news: PlainObject) {
        const failures =
            typeof news.name === "string" && news.name !== "" ? [] : [{ property: "name", reason: "name is required" }];
        return { inputs: { ...news, checked: true }, failures };
    },
    async diff(_id: string, olds: PlainObject, news: PlainObject) {
        const replaces = olds.name === news.name ? [] : ["name"];
        return {
            changes: olds.name !== news.name || olds.size !== news.size,
            replaces,
            deleteBeforeReplace: replaces.length > 0,
        };
    },
    async create(inputs: PlainObject) {
        if (inputs.name === "explode") throw new Error("create refused: name 'explode' is reserved");
        const store = recordStore();
        const id = `rec-${store.size + 1}`;
        // The host's Struct.fromJavaScript rejects undefined values, so outputs carry only what is set.
        const outs = JSON.parse(
            JSON.stringify({ ...inputs, __provider: undefined, greeting: recordProvider.greeting }),
        );
        store.set(id, outs);
        return { id, outs };
    },
    async read(id: string, props: PlainObject) {
        const store = recordStore();
        const found = store.get(id);
        return found ? { id, props: { ...props, ...found } } : { id: "", props: {} };
    },
    async update(id: string, _olds: PlainObject, news: PlainObject) {
        const store = recordStore();
        const outs = { ...store.get(id), size: news.size };
        store.set(id, outs);
        return { outs };
    },
    async delete(id: string) {
        const store = recordStore();
        store.delete(id);
    },
};

describe("ProviderHost (SDK dynamic-provider host over gRPC)", () => {
    let host: ProviderHost;
    let providerText: string;

    beforeAll(async () => {
        const started = Date.now();
        providerText = await serializeProvider(recordProvider);
        host = await ProviderHost.start({ project: "tailwart", config: { "tailwart:greeting": "hello" } });
        console.log(
            `provider host ready in ${Date.now() - started} ms (pid ${host.pid}, port ${host.port}); provider text ${providerText.length} B`,
        );
    });
    afterAll(async () => {
        await host?.stop();
    });

    it("reports the SDK version and accepts configure", async () => {
        expect(await host.pluginInfo()).toMatch(/^3\.\d+\.\d+/);
        expect(providerText).toContain("exports.handler");
    });

    it("returns check failures per property and the provider's inputs with __provider kept", async () => {
        const bad = await host.check({}, { name: "", __provider: providerText });
        expect(bad.failures).toEqual([{ property: "name", reason: "name is required" }]);
        const good = await host.check({}, { name: "a", size: 1, __provider: providerText });
        expect(good.failures).toEqual([]);
        expect(good.inputs).toEqual({ name: "a", size: 1, checked: true, __provider: providerText });
    });

    it("maps diff results and falls back to the old provider when the new one is unknown", async () => {
        const olds = { name: "a", size: 1, __provider: providerText };
        expect(await host.diff("rec-x", olds, { ...olds })).toMatchObject({
            changes: "none",
            replaces: [],
            deleteBeforeReplace: false,
        });
        expect(await host.diff("rec-x", olds, { ...olds, size: 2 })).toMatchObject({ changes: "some", replaces: [] });
        const renamed = await host.diff("rec-x", olds, { ...olds, name: "b", __provider: UNKNOWN });
        expect(renamed).toEqual({ changes: "some", replaces: ["name"], stables: [], deleteBeforeReplace: true });
    });

    it("runs create, read, update, read-after-delete, and passes configure's config to the provider", async () => {
        const inputs = { name: "a", size: 1, __provider: providerText };
        const created = await host.create(inputs);
        expect(created.id).toMatch(/^rec-\d+$/);
        expect(created.properties).toMatchObject({ name: "a", size: 1, greeting: "hello", __provider: providerText });

        const updated = await host.update(created.id, created.properties, { ...inputs, size: 5 });
        expect(updated.properties).toMatchObject({ size: 5, __provider: providerText });

        const read = await host.read(created.id, created.properties, inputs);
        expect(read).toMatchObject({ id: created.id, properties: { size: 5 } });

        await host.delete(created.id, updated.properties);
        const gone = await host.read(created.id, updated.properties);
        expect(gone.id).toBe("");
    });

    it("keeps engine-style secret values intact through a round trip", async () => {
        const note = engineSecret("s3cret-note");
        const created = await host.create({ name: "s", size: 0, secretNote: note, __provider: providerText });
        expect(created.properties.secretNote).toEqual({ [SECRET_SIG_KEY]: SECRET_SIG, value: "s3cret-note" });
    });

    it("surfaces a provider's thrown error as gRPC UNKNOWN with its message", async () => {
        const failure = await host.create({ name: "explode", __provider: providerText }).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(ProviderHostError);
        expect(failure).toMatchObject({
            method: "create",
            code: 2,
            details: "create refused: name 'explode' is reserved",
        });
    });

    it("stop ends the host process it spawned", async () => {
        const other = await ProviderHost.start({ stack: "other" });
        expect(other.urn("x", "pulumi-nodejs:dynamic/garage:BucketGrant")).toBe(
            "urn:pulumi:other::tailwart::pulumi-nodejs:dynamic/garage:BucketGrant::x",
        );
        const pid = other.pid;
        await other.stop();
        expect(pid).toBeTypeOf("number");
        expect(() => process.kill(pid as number, 0)).toThrow();
    });
});
