/**
 * Dynamic providers shipped as a small shell around one compressed esbuild bundle (decision 007).
 * Pulumi serializes a provider function by function, with every module it touches: ~30–55 KB per
 * provider, in every resource's state. The shell instead captures the provider's source module,
 * bundled and minified (esbuild drops what the provider never calls) and brotli-compressed, plus
 * the factory's plain arguments; it builds the real provider on first use inside the
 * dynamic-provider host. Bundled modules may use only globals and `require` inside functions; an
 * npm module required there stays a `require`, resolved from the project's node_modules.
 */
import { existsSync, readFileSync } from "node:fs";
import type * as pulumi from "@pulumi/pulumi";

export type ProviderMethod = "configure" | "check" | "diff" | "create" | "read" | "update" | "delete";

export const PROVIDER_METHODS: readonly ProviderMethod[] = ["configure", "check", "diff", "create", "read", "update", "delete"];

/** Brotli (quality 11), base64: what the shell carries. */
export function compress(text: string): string {
    const zlib: typeof import("node:zlib") = require("node:zlib");
    return zlib.brotliCompressSync(Buffer.from(text, "utf8"), { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).toString("base64");
}

const bundles = new Map<string, string>();

/** Where `npm run build` writes a provider core's bundle (as bundleOf returns it): beside its compiled .js. */
export const prebuiltBundleOf = (entry: string): string => `${entry}.bundle`;

/** `file` and what it imports as one minified CommonJS module; `@pulumi/pulumi` (types only) is left out. */
function bundleSource(file: string): string {
    const esbuild: typeof import("esbuild") = require("esbuild");
    const built = esbuild.buildSync({
        entryPoints: [file],
        bundle: true,
        write: false,
        platform: "node",
        format: "cjs",
        target: "es2022",
        minify: true,
        legalComments: "none",
        external: ["@pulumi/pulumi"],
        // npm modules are never inlined: a provider that needs one (the gate's `pg`) requires it inside a
        // function, and the host resolves it from the project's node_modules
        packages: "external",
    });
    return built.outputFiles[0]!.text;
}

/**
 * The compressed bundle of the provider core `entry` (a path without extension), once per program
 * run. In the repository it is bundled from `entry`.ts, so it always matches the source; in the
 * built package (no .ts) it is the file `npm run build` wrote, so esbuild is not needed at run time.
 */
export function bundleOf(entry: string): string {
    let code = bundles.get(entry);
    if (code === undefined) {
        if (existsSync(`${entry}.ts`)) code = compress(bundleSource(`${entry}.ts`));
        else {
            const file = prebuiltBundleOf(entry);
            if (!existsSync(file)) throw new Error(`the dynamic provider bundle ${file} is missing: this copy of tailwart was not built with \`npm run build\`; build it (or reinstall the package)`);
            code = readFileSync(file, "utf8").trim();
        }
        bundles.set(entry, code);
    }
    return code;
}

/**
 * The serialized shell: it captures nothing but its arguments and globals; `require` is the host's.
 * `factory` names the bundle's export: a function called with `args`, or the provider object
 * itself. Only `methods` are defined, so the host's defaults apply where the provider has none.
 */
export function bundledProvider(code: string, factory: string, args: readonly unknown[], methods: readonly ProviderMethod[]): pulumi.dynamic.ResourceProvider {
    type Method = (...a: unknown[]) => unknown;
    const box: { provider?: Partial<Record<ProviderMethod, Method>> } = {};
    const real = (): Partial<Record<ProviderMethod, Method>> => {
        if (!box.provider) {
            const module: { exports: Record<string, unknown> } = { exports: {} };
            const source = require("node:zlib").brotliDecompressSync(Buffer.from(code, "base64")).toString("utf8");
            new Function("exports", "require", "module", source)(module.exports, require, module);
            const made = module.exports[factory];
            box.provider = (typeof made === "function" ? made(...args) : made) as Partial<Record<ProviderMethod, Method>>;
        }
        return box.provider;
    };
    const shell: Partial<Record<ProviderMethod, Method>> = {};
    for (const method of methods) shell[method] = (...a: unknown[]) => real()[method]!(...a);
    return shell as unknown as pulumi.dynamic.ResourceProvider;
}

/** The methods an in-process provider object defines, for its shell. */
export function methodsOf(provider: object): ProviderMethod[] {
    return PROVIDER_METHODS.filter((m) => typeof (provider as Record<string, unknown>)[m] === "function");
}
