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

/**
 * The engine's inputs, outputs and state (and the server's JSON) as a dynamic provider receives them:
 * untyped by nature, and checked field by field before any use, so their values stay `any` here rather
 * than be cast at each of the many reads. Every provider core uses this one alias.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
export type EngineRecord = Record<string, any>;

export type ProviderMethod = "configure" | "check" | "diff" | "create" | "read" | "update" | "delete";

export const PROVIDER_METHODS: readonly ProviderMethod[] = [
    "configure",
    "check",
    "diff",
    "create",
    "read",
    "update",
    "delete",
];

const brotli = (text: string): Buffer => {
    const zlib: typeof import("node:zlib") = require("node:zlib");
    return zlib.brotliCompressSync(Buffer.from(text, "utf8"), {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 },
    });
};

/** Brotli (quality 11), base64: how a factory argument (the x:* schema subset) travels. */
export const compress = (text: string): string => brotli(text).toString("base64");

/** Z85's alphabet (ZeroMQ RFC 32): 85 characters that need no escaping in a JSON or JS string. */
const Z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/**
 * Brotli, then Z85 (5 characters per 4 bytes, 6 % shorter than base64: the bundle is most of every
 * resource's `__provider`), after one digit giving the zero bytes padded to a multiple of 4.
 */
export function pack(text: string): string {
    const bytes = brotli(text);
    const pad = (4 - (bytes.length % 4)) % 4;
    const padded = Buffer.concat([bytes, Buffer.alloc(pad)]);
    let out = String(pad);
    for (let i = 0; i < padded.length; i += 4) {
        let v = padded.readUInt32BE(i);
        let chunk = "";
        for (let k = 0; k < 5; k++, v = Math.floor(v / 85)) chunk = Z85[v % 85]! + chunk;
        out += chunk;
    }
    return out;
}

/** The text `pack` made (the shell inlines the same steps: it may capture nothing but strings). */
export function unpack(packed: string): string {
    const bytes = Buffer.alloc(((packed.length - 1) / 5) * 4);
    for (let i = 1, j = 0; i < packed.length; i += 5, j += 4) {
        let v = 0;
        for (let k = 0; k < 5; k++) v = v * 85 + Z85.indexOf(packed[i + k]!);
        bytes.writeUInt32BE(v, j);
    }
    return require("node:zlib")
        .brotliDecompressSync(bytes.subarray(0, bytes.length - Number(packed[0])))
        .toString("utf8");
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
 * The packed bundle (brotli + Z85) of the provider core `entry` (a path without extension), once
 * per program run. In the repository it is bundled from `entry`.ts, so it always matches the
 * source; in the built package (no .ts) it is the file `npm run build` wrote, so esbuild is not
 * needed at run time.
 */
export function bundleOf(entry: string): string {
    let code = bundles.get(entry);
    if (code === undefined) {
        if (existsSync(`${entry}.ts`)) code = pack(bundleSource(`${entry}.ts`));
        else {
            const file = prebuiltBundleOf(entry);
            if (!existsSync(file))
                throw new Error(
                    `the dynamic provider bundle ${file} is missing: this copy of tailwart was not built with \`npm run build\`; build it (or reinstall the package)`,
                );
            code = readFileSync(file, "utf8").trim();
        }
        bundles.set(entry, code);
    }
    return code;
}

/**
 * The serialized shell: it captures nothing but its arguments and globals; `require` is the host's.
 * On first use it unpacks `code` (the steps of `unpack`, inlined: the shell may capture no function
 * of this module), evaluates it, and calls its export `factory` with `args` for the provider. Only
 * `methods` are defined, so the host's defaults apply to any other. No comment inside the function:
 * its text is what every resource's state carries.
 */
export function bundledProvider(
    code: string,
    factory: string,
    args: readonly unknown[],
    methods: readonly ProviderMethod[] = PROVIDER_METHODS,
): pulumi.dynamic.ResourceProvider {
    type Method = (...a: unknown[]) => unknown;
    const box: { provider?: Partial<Record<ProviderMethod, Method>> } = {};
    const real = (): Partial<Record<ProviderMethod, Method>> => {
        if (!box.provider) {
            const module: { exports: Record<string, unknown> } = { exports: {} };
            const z85 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
            const bytes = Buffer.alloc(((code.length - 1) / 5) * 4);
            for (let i = 1; i < code.length; i += 5) {
                let v = 0;
                for (let k = 0; k < 5; k++) v = v * 85 + z85.indexOf(code[i + k]!);
                bytes.writeUInt32BE(v, ((i - 1) / 5) * 4);
            }
            const source = require("node:zlib")
                .brotliDecompressSync(bytes.subarray(0, bytes.length - Number(code[0])))
                .toString("utf8");
            new Function("exports", "require", "module", source)(module.exports, require, module);
            box.provider = (
                module.exports[factory] as (...a: readonly unknown[]) => Partial<Record<ProviderMethod, Method>>
            )(...args);
        }
        return box.provider;
    };
    // one wrapper each, naming its method in its own text: a captured name would cost every wrapper more
    const wrappers: Record<ProviderMethod, Method> = {
        configure: (...a) => real().configure!(...a),
        check: (...a) => real().check!(...a),
        diff: (...a) => real().diff!(...a),
        create: (...a) => real().create!(...a),
        read: (...a) => real().read!(...a),
        update: (...a) => real().update!(...a),
        delete: (...a) => real().delete!(...a),
    };
    return Object.fromEntries(methods.map((m) => [m, wrappers[m]])) as unknown as pulumi.dynamic.ResourceProvider;
}

const shipped = new Map<string, pulumi.dynamic.ResourceProvider>();

/**
 * The one way a provider ships (decision 007): the provider-core module `entry` (a path without
 * extension), bundled, behind a shell calling its export `factory` with `args`. The x:*, convergence
 * and Garage cores return all seven methods (test/unit/bundledProvider.test.ts checks it); a core
 * with fewer names them in `methods`, so the host's defaults apply to the rest. Cached per entry,
 * factory and arguments: one shell per provider and program run.
 */
export function shipProvider(
    entry: string,
    factory: string,
    args: readonly unknown[] = [],
    methods: readonly ProviderMethod[] = PROVIDER_METHODS,
): pulumi.dynamic.ResourceProvider {
    const key = JSON.stringify([entry, factory, args, methods]);
    let provider = shipped.get(key);
    if (!provider) {
        provider = bundledProvider(bundleOf(entry), factory, args, methods);
        shipped.set(key, provider);
    }
    return provider;
}
