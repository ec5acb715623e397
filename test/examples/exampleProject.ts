/**
 * An example project outside the repository, set up as a user would have it: a copy of its files
 * in a temporary directory, with `tailwart` either linked to the repository (its package.json's
 * `file:../..`) or installed from the packed tarball, and its other dependencies resolved from the
 * repository's node_modules (linked) or by npm (installed). Then: type-check it, run it under mocks.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { PROJECT_ROOT } from "../support/stackConfig";
import { type ExampleRun, RESULT_MARKER } from "./runUnderMocks";

export const EXAMPLES_DIR = join(PROJECT_ROOT, "examples");
const ROOT_MODULES = join(PROJECT_ROOT, "node_modules");
const bin = (name: string) => join(ROOT_MODULES, ".bin", name);

interface Manifest {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
}

/**
 * A child's stderr quoted line by line: its stack frames would otherwise be read as this error's own
 * (and the files they name parsed for source maps) by the test runner.
 */
const quoted = (text: string): string => text.replace(/^/gm, "| ");

/** A fresh temporary directory for this test run. */
export const scratchDir = (label: string): string => mkdtempSync(join(tmpdir(), `tailwart-${label}-`));

/** Copies the example's own files (no node_modules, no build output) into `into`. */
function copyExample(name: string, into: string): string {
    const dir = join(into, name);
    cpSync(join(EXAMPLES_DIR, name), dir, {
        recursive: true,
        filter: (src) => !/(^|\/)(node_modules|bin)(\/|$)/.test(src.slice(EXAMPLES_DIR.length)),
    });
    return dir;
}

/** The example with tailwart linked to the repository and every other dependency linked from the root node_modules. */
export function linkedExample(name: string, into: string): string {
    const dir = copyExample(name, into);
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
        const link = join(dir, "node_modules", dep);
        mkdirSync(dirname(link), { recursive: true });
        symlinkSync(dep === "tailwart" ? PROJECT_ROOT : join(ROOT_MODULES, dep), link);
    }
    return dir;
}

/** `npm pack` of the (already built) repository into `into`: the tarball's path and size. */
export function packTarball(into: string): { tarball: string; bytes: number; files: number } {
    // prepack would rebuild dist/ while other test files read it; the caller has built it already
    const run = spawnSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", into], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(`npm pack failed:\n${quoted(run.stderr)}`);
    const [info] = JSON.parse(run.stdout) as { filename: string; size: number; entryCount: number }[];
    return { tarball: join(into, info!.filename), bytes: info!.size, files: info!.entryCount };
}

/** The example with its tailwart dependency pointed at `tarball`, installed by npm (cache first). */
export function installedExample(name: string, into: string, tarball: string): string {
    const dir = copyExample(name, into);
    const manifestFile = join(dir, "package.json");
    const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
    manifest.dependencies = { ...manifest.dependencies, tailwart: `file:${tarball}` };
    writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    const run = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd: dir,
        encoding: "utf8",
    });
    if (run.status !== 0) throw new Error(`npm install in ${dir} failed:\n${quoted(run.stderr)}`);
    return dir;
}

/** The example's own tsc (its typescript dependency) over its tsconfig.json; "" when it type-checks. */
export function typeErrors(dir: string): string {
    const tsc = join(dir, "node_modules", "typescript", "bin", "tsc");
    const run = spawnSync(process.execPath, [tsc, "--noEmit", "-p", join(dir, "tsconfig.json")], {
        cwd: dir,
        encoding: "utf8",
    });
    return run.status === 0 ? "" : `${run.stdout}${run.stderr}` || `tsc exited ${run.status}`;
}

/** Runs the example under mocks in its own process (runUnderMocks.ts) and returns what it registered. */
export function runExample(
    dir: string,
    stack: string,
    config: Record<string, string> = {},
    secretKeys: string[] = [],
): ExampleRun {
    const runner = join(__dirname, "runUnderMocks.ts");
    const run = spawnSync(bin("tsx"), [runner, dir, stack, JSON.stringify(config), JSON.stringify(secretKeys)], {
        cwd: dir,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    const line = run.stdout.split("\n").find((l) => l.startsWith(RESULT_MARKER));
    if (run.status !== 0 || !line)
        throw new Error(`the example in ${dir} failed under mocks (exit ${run.status}):\n${quoted(run.stderr)}`);
    return JSON.parse(line.slice(RESULT_MARKER.length)) as ExampleRun;
}
