/**
 * The per-type dynamic provider Pulumi serializes into `__provider`. Serializing the provider code
 * function by function costs ~55 KB per type, so the provider is a small shell instead: it captures
 * the object type, its schema subset and the provider modules as one brotli-compressed bundle, and builds
 * the real provider (providerCore.ts) on first use inside the dynamic-provider host.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import { ACCOUNT_SCOPED, LOWERCASE_PROPERTIES } from "./providerCore";
import { subsetFor } from "./schema/table";
import type { ObjectSchemaSubset } from "./schema/types";

export { ACCOUNT_SCOPED, defaultProviderVersion, LOWERCASE_PROPERTIES, makeProvider, PROVIDER_CODE_VERSION } from "./providerCore";

/** The modules the provider runs on, in no particular order; only relative imports among them are allowed. */
export const BUNDLED_MODULES = ["providerCore", "credentials", "diff", "errors", "jmap", "normalize"] as const;

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

/**
 * One module as CommonJS JavaScript, minified with esbuild when it is installed (it comes with tsx
 * and vitest) so every type's provider fits in 20 KB; else transpiled by TypeScript, unminified.
 */
function moduleSource(name: string): string {
    const ts = join(__dirname, `${name}.ts`);
    const file = existsSync(ts) ? ts : join(__dirname, `${name}.js`);
    const source = readFileSync(file, "utf8");
    try {
        const esbuild: typeof import("esbuild") = require("esbuild");
        return esbuild.transformSync(source, { loader: file.endsWith(".ts") ? "ts" : "js", format: "cjs", target: "es2022", minify: true, legalComments: "none" }).code;
    } catch (e: any) {
        if (e?.code !== "MODULE_NOT_FOUND") throw e;
    }
    if (file.endsWith(".js")) return source;
    const typescript: typeof import("typescript") = require("typescript");
    return typescript.transpileModule(source, {
        compilerOptions: { module: typescript.ModuleKind.CommonJS, target: typescript.ScriptTarget.ES2022, removeComments: true, esModuleInterop: true },
    }).outputText;
}

let bundle: string | undefined;

/** `{ "./diff": "<js>", … }`, compressed: built once per program run, shared by every type's provider. */
export function providerBundle(): string {
    bundle ??= compress(JSON.stringify(Object.fromEntries(BUNDLED_MODULES.map((m) => [`./${m}`, moduleSource(m)]))));
    return bundle;
}

/**
 * The serialized shell. It captures nothing but its arguments and globals; `require` is the host's.
 * The bundle's modules are evaluated with a private require that resolves their relative imports.
 */
export function shellProvider(type: string, code: string, packed: string, lowercase: readonly string[], accountScoped: boolean): pulumi.dynamic.ResourceProvider {
    const box: { provider?: pulumi.dynamic.ResourceProvider } = {};
    const real = (): any => {
        if (!box.provider) {
            const sources = JSON.parse(require("node:zlib").brotliDecompressSync(Buffer.from(code, "base64")).toString("utf8"));
            const loaded: Record<string, { exports: any }> = {};
            const load = (name: string): any => {
                if (!(name in sources)) return require(name);
                if (!loaded[name]) {
                    const module = { exports: {} };
                    loaded[name] = module;
                    new Function("exports", "require", "module", sources[name])(module.exports, load, module);
                }
                return loaded[name]!.exports;
            };
            box.provider = load("./providerCore").makeProvider(type, packed, lowercase, accountScoped);
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
