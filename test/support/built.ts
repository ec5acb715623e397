/**
 * The built package for the tests that use it (dist/, as `npm run build` makes it), built at most
 * once however many test files ask at the same time: a lock directory serializes the builds and a
 * hash of every build input, recorded after a successful build, skips a build that would change
 * nothing.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { PROJECT_ROOT } from "./stackConfig";

export const DIST = join(PROJECT_ROOT, "dist");
const STAMP = join(PROJECT_ROOT, ".dist-source-hash");
const LOCK = join(PROJECT_ROOT, ".dist-build.lock");
const INPUTS = ["components", "scripts/build.ts", "tsconfig.json", "tsconfig.build.json", "package.json"];
/** A lock older than this was left by a killed build. */
const STALE_LOCK_MS = 5 * 60_000;

function filesOf(path: string): string[] {
    if (!statSync(path).isDirectory()) return [path];
    return readdirSync(path)
        .sort()
        .flatMap((name) => filesOf(join(path, name)));
}

/** sha256 over the path and content of every build input. */
export function sourceHash(): string {
    const hash = createHash("sha256");
    for (const file of INPUTS.flatMap((p) => filesOf(join(PROJECT_ROOT, p)))) {
        hash.update(relative(PROJECT_ROOT, file)).update("\0").update(readFileSync(file)).update("\0");
    }
    return hash.digest("hex");
}

const isBuilt = (hash: string) =>
    existsSync(join(DIST, "index.js")) && existsSync(STAMP) && readFileSync(STAMP, "utf8") === hash;

function takeLock(): boolean {
    try {
        mkdirSync(LOCK);
        return true;
    } catch {
        if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > STALE_LOCK_MS)
            rmSync(LOCK, { recursive: true, force: true });
        return false;
    }
}

/** Runs `npm run build`'s script unless dist/ already matches the sources; throws with its output when it fails. */
export async function ensureBuilt(): Promise<void> {
    const hash = sourceHash();
    while (!takeLock()) {
        await new Promise((resolve) => setTimeout(resolve, 500));
    }
    try {
        if (isBuilt(hash)) return;
        const run = spawnSync(
            join(PROJECT_ROOT, "node_modules", ".bin", "tsx"),
            [join(PROJECT_ROOT, "scripts", "build.ts")],
            { cwd: PROJECT_ROOT, encoding: "utf8" },
        );
        if (run.status !== 0) throw new Error(`npm run build failed:\n${run.stdout}\n${run.stderr}`);
        writeFileSync(STAMP, hash);
    } finally {
        rmSync(LOCK, { recursive: true, force: true });
    }
}
