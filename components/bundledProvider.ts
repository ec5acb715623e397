/**
 * Dynamic providers shipped as a small shell around one compressed esbuild bundle (decision 007).
 * Pulumi serializes a provider function by function, with every module it touches: ~30–55 KB per
 * provider, in every resource's state. The shell instead captures the provider's source module,
 * bundled and minified (esbuild drops what the provider never calls) and brotli-compressed, plus
 * the factory's plain arguments; it builds the real provider on first use inside the
 * dynamic-provider host. Bundled modules may use only globals and `require` inside functions.
 */
import { existsSync } from "node:fs";
import type * as pulumi from "@pulumi/pulumi";

export type ProviderMethod = "configure" | "check" | "diff" | "create" | "read" | "update" | "delete";

export const PROVIDER_METHODS: readonly ProviderMethod[] = ["configure", "check", "diff", "create", "read", "update", "delete"];

/** Brotli (quality 11), base64: what the shell carries. */
export function compress(text: string): string {
    const zlib: typeof import("node:zlib") = require("node:zlib");
    return zlib.brotliCompressSync(Buffer.from(text, "utf8"), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).toString("base64");
}

const bundles = new Map<string, string>();

/**
 * `entry` (a path without extension: the .ts next to it, else the compiled .js) and what it
 * imports, as one minified CommonJS module, compressed; built once per program run.
 * `@pulumi/pulumi` must be imported for types only: it is left out.
 */
export function bundleOf(entry: string): string {
    let code = bundles.get(entry);
    if (code === undefined) {
        const esbuild: typeof import("esbuild") = require("esbuild");
        const built = esbuild.buildSync({
            entryPoints: [existsSync(`${entry}.ts`) ? `${entry}.ts` : `${entry}.js`],
            bundle: true,
            write: false,
            platform: "node",
            format: "cjs",
            target: "es2022",
            minify: true,
            legalComments: "none",
            external: ["@pulumi/pulumi"],
        });
        code = compress(built.outputFiles[0]!.text);
        bundles.set(entry, code);
    }
    return code;
}

/**
 * The serialized shell: it captures nothing but its arguments and globals; `require` is the host's.
 * `factory` names the bundle's export, a function called with `args` that returns the provider.
 * Only `methods` are defined, so the host's defaults apply to any other.
 */
export function bundledProvider(code: string, factory: string, args: readonly unknown[], methods: readonly ProviderMethod[] = PROVIDER_METHODS): pulumi.dynamic.ResourceProvider {
    type Method = (...a: unknown[]) => unknown;
    const box: { provider?: Partial<Record<ProviderMethod, Method>> } = {};
    const real = (): Partial<Record<ProviderMethod, Method>> => {
        if (!box.provider) {
            const module: { exports: Record<string, unknown> } = { exports: {} };
            const source = require("node:zlib").brotliDecompressSync(Buffer.from(code, "base64")).toString("utf8");
            new Function("exports", "require", "module", source)(module.exports, require, module);
            const make = module.exports[factory];
            if (typeof make !== "function") throw new Error(`the provider bundle exports no factory ${factory}`);
            box.provider = make(...args) as Partial<Record<ProviderMethod, Method>>;
        }
        return box.provider;
    };
    const shell: Partial<Record<ProviderMethod, Method>> = {};
    for (const method of methods) shell[method] = (...a: unknown[]) => real()[method]!(...a);
    return shell as unknown as pulumi.dynamic.ResourceProvider;
}

const shipped = new Map<string, pulumi.dynamic.ResourceProvider>();

/**
 * The one way a provider ships (decision 007): the provider-core module `entry` (a path without
 * extension), bundled, behind a shell calling its export `factory` with `args`. Every core's factory
 * returns all seven methods (test/unit/bundledProvider.test.ts checks it), so the shell defines all
 * seven. Cached per entry, factory and arguments: one shell per provider and program run.
 */
export function shipProvider(entry: string, factory: string, args: readonly unknown[] = []): pulumi.dynamic.ResourceProvider {
    const key = JSON.stringify([entry, factory, args]);
    let provider = shipped.get(key);
    if (!provider) {
        provider = bundledProvider(bundleOf(entry), factory, args);
        shipped.set(key, provider);
    }
    return provider;
}
