/**
 * The per-type dynamic provider Pulumi serializes into `__provider`. Serializing the provider code
 * function by function costs ~55 KB per type, so the provider is a small shell instead: it captures
 * the object type, its schema subset and the provider modules as one brotli-compressed bundle, and builds
 * the real provider (providerCore.ts) on first use inside the dynamic-provider host.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_SCOPED, LOWERCASE_PROPERTIES } from "./providerCore";
import { subsetFor } from "./schema/table";
import type { ObjectSchemaSubset } from "./schema/types";

export { ACCOUNT_SCOPED, defaultProviderVersion, LOWERCASE_PROPERTIES, makeProvider, PROVIDER_CODE_VERSION } from "./providerCore";

const compress = (text: string): string => {
    const zlib: typeof import("node:zlib") = require("node:zlib");
    return zlib.brotliCompressSync(Buffer.from(text, "utf8"), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).toString("base64");
};

/** Compressed size allowed for a subset, so code (~11 KB) + subset + shell stays under 20 KB. */
export const SUBSET_BUDGET = 5_600;

/**
 * Brotli-compressed JSON, base64. Over budget (x:Account: Permission, TimeZone; x:AccountSettings:
 * TimeZone) the largest enums are left out: check() then leaves those values to the server, whose
 * invalidPatch names the property.
 */
export function packSubset(subset: ObjectSchemaSubset): string {
    const enums = { ...subset.enums };
    for (;;) {
        const packed = compress(JSON.stringify({ ...subset, enums }));
        const largest = Object.keys(enums).sort((a, b) => enums[b]!.length - enums[a]!.length)[0];
        if (packed.length <= SUBSET_BUDGET || largest === undefined) return packed;
        delete enums[largest];
    }
}

let bundle: string | undefined;

/**
 * providerCore.ts and the modules it imports as one minified CommonJS module, compressed: built
 * once per program run, shared by every type's provider. Bundling (rather than module by module)
 * lets esbuild drop what the provider never calls and shorten names across modules, which keeps
 * every type's provider under 20 KB. `@pulumi/pulumi` is imported for types only.
 */
export function providerBundle(): string {
    if (bundle === undefined) {
        const esbuild: typeof import("esbuild") = require("esbuild");
        const ts = join(__dirname, "providerCore.ts");
        const built = esbuild.buildSync({
            entryPoints: [existsSync(ts) ? ts : join(__dirname, "providerCore.js")],
            bundle: true,
            write: false,
            platform: "node",
            format: "cjs",
            target: "es2022",
            minify: true,
            legalComments: "none",
            external: ["@pulumi/pulumi"],
        });
        bundle = compress(built.outputFiles[0]!.text);
    }
    return bundle;
}

/**
 * The serialized shell. It captures nothing but its arguments and globals; `require` is the host's.
 */
export function shellProvider(type: string, code: string, packed: string, lowercase: readonly string[], accountScoped: boolean): pulumi.dynamic.ResourceProvider {
    const box: { provider?: pulumi.dynamic.ResourceProvider } = {};
    const real = (): any => {
        if (!box.provider) {
            const module = { exports: {} as any };
            const source = require("node:zlib").brotliDecompressSync(Buffer.from(code, "base64")).toString("utf8");
            new Function("exports", "require", "module", source)(module.exports, require, module);
            box.provider = module.exports.makeProvider(type, packed, lowercase, accountScoped);
        }
        return box.provider;
    };
    return {
        configure: (req) => real().configure(req),
        check: (olds, news) => real().check(olds, news),
        diff: (id, olds, news) => real().diff(id, olds, news),
        create: (inputs) => real().create(inputs),
        read: (id, props) => real().read(id, props),
        update: (id, olds, news) => real().update(id, olds, news),
        delete: (id, props) => real().delete(id, props),
    };
}

const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

/** The cached provider for one x:* object type (throws for an unknown type, with close matches). */
export function stalwartProvider(objectType: string): pulumi.dynamic.ResourceProvider {
    let provider = providers.get(objectType);
    if (!provider) {
        const subset = subsetFor(objectType);
        provider = shellProvider(objectType, providerBundle(), packSubset(subset), LOWERCASE_PROPERTIES[objectType] ?? [], ACCOUNT_SCOPED.includes(objectType));
        providers.set(objectType, provider);
    }
    return provider;
}
