/**
 * `npm run build`: the installable package in dist/. The compiler emits JavaScript and .d.ts for
 * components/ (tsconfig.build.json); the data files the code reads at run time are copied beside
 * it; each dynamic provider core is bundled and compressed once, here, into `<core>.bundle`,
 * so a program using the package never runs esbuild (components/bundledProvider.ts reads the file).
 * `npm pack` runs it first (prepack).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { bundleOf, prebuiltBundleOf } from "../components/bundledProvider";

const ROOT = join(__dirname, "..");
export const SOURCE_DIR = join(ROOT, "components");
export const DIST_DIR = join(ROOT, "dist");

/**
 * The provider cores the package ships, relative to components/ and without extension: each is
 * the `entry` a component hands to bundleOf (test/package/distProviders.test.ts keeps this list and
 * the call sites equal).
 */
export const PROVIDER_CORES: readonly string[] = [
    "stalwart/providerCore",
    "stalwart/convergence/provider",
    "backends/garage/provider",
    "deploy/oneInstanceGate/provider",
    "stalwart/dnsRecordsProvider",
    "stalwart/passwordHashProvider",
];

/** Files under `dir` (recursively) whose name matches `pattern`. */
function filesUnder(dir: string, pattern: RegExp): string[] {
    return readdirSync(dir).flatMap((name) => {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) return filesUnder(full, pattern);
        return pattern.test(name) ? [full] : [];
    });
}

function compile(): void {
    const tsc = require.resolve("typescript/bin/tsc");
    const run = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });
    if (run.status !== 0)
        throw new Error(`tsc -p tsconfig.build.json failed (exit ${run.status}); fix the errors above`);
}

/** The JSON data the code reads from disk (the schema table), at the same place relative to the code. */
function copyData(): string[] {
    return filesUnder(SOURCE_DIR, /\.json$/).map((file) => {
        const target = join(DIST_DIR, relative(SOURCE_DIR, file));
        mkdirSync(dirname(target), { recursive: true });
        copyFileSync(file, target);
        return relative(ROOT, target);
    });
}

/** Each provider core bundled from its .ts source, exactly as the repository bundles it at run time. */
function writeBundles(): { file: string; bytes: number }[] {
    return PROVIDER_CORES.map((core) => {
        // bundleOf bundles from the .ts beside the entry and packs it as every shell carries it
        const code = bundleOf(join(SOURCE_DIR, core));
        const file = prebuiltBundleOf(join(DIST_DIR, core));
        writeFileSync(file, `${code}\n`);
        return { file: relative(ROOT, file), bytes: code.length };
    });
}

export function build(): void {
    const started = Date.now();
    rmSync(DIST_DIR, { recursive: true, force: true });
    compile();
    const compiled = Date.now();
    const data = copyData();
    const bundles = writeBundles();
    console.log(`compiled components/ to dist/ in ${((compiled - started) / 1000).toFixed(1)} s`);
    console.log(`copied ${data.join(", ")}`);
    for (const { file, bytes } of bundles) console.log(`bundled ${file} (${(bytes / 1024).toFixed(1)} KB)`);
    console.log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (require.main === module) {
    try {
        build();
    } catch (error) {
        console.error(`build failed: ${(error as Error).message}`);
        process.exit(1);
    }
}
