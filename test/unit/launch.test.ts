// scripts/launch.cjs: the TypeScript CLIs run from an esbuild bundle cached per checkout, rebuilt
// exactly when an input changed, with each module's own __dirname and stack traces in .ts lines.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/stackConfig";

interface Launch {
    bundleFor(entry: string, options: { root: string; cacheDir: string }): Promise<{ file: string; built: boolean }>;
    cacheDirOf(root: string): string;
}
const launcher = join(PROJECT_ROOT, "scripts", "launch.cjs");
const { bundleFor, cacheDirOf } = createRequire(__filename)(launcher) as Launch;

/** A project with an entry importing a module that reads its own __dirname. */
function project(): { root: string; entry: string; lib: string; cacheDir: string } {
    const root = mkdtempSync(join(tmpdir(), "tailwart-launch-"));
    mkdirSync(join(root, "lib"));
    const lib = join(root, "lib", "where.ts");
    writeFileSync(
        lib,
        'import { join } from "node:path";\nexport const where = (): string => join(__dirname, "data.json");\n',
    );
    // a plain JavaScript module of the project keeps its own paths too
    writeFileSync(join(root, "lib", "file.js"), "exports.file = () => __filename;\n");
    const entry = join(root, "main.ts");
    writeFileSync(
        entry,
        'import { where } from "./lib/where";\nimport { file } from "./lib/file";\nexport const answer = { where: where(), dir: __dirname, file: file() };\n',
    );
    writeFileSync(join(root, "package.json"), "{}\n");
    return { root, entry, lib, cacheDir: join(root, "cache") };
}

const load = (file: string) => {
    const required = createRequire(__filename);
    delete required.cache[file];
    return required(file) as { answer: { where: string; dir: string; file: string; extra?: number } };
};

describe("scripts/launch.cjs", () => {
    it("bundles once and gives each bundled module its own __dirname", async () => {
        const p = project();
        const first = await bundleFor(p.entry, p);
        expect(first.built).toBe(true);
        expect(load(first.file).answer).toEqual({
            where: join(p.root, "lib", "data.json"),
            dir: p.root,
            file: join(p.root, "lib", "file.js"),
        });
        expect(await bundleFor(p.entry, p)).toEqual({ file: first.file, built: false });
    });

    it("rebuilds when an input is newer than the build, or the entry imports a new file", async () => {
        const p = project();
        await bundleFor(p.entry, p);
        const later = new Date(Date.now() + 5_000);
        utimesSync(p.lib, later, later);
        expect((await bundleFor(p.entry, p)).built).toBe(true);
        expect((await bundleFor(p.entry, p)).built).toBe(true); // still newer than the last build: the lib's mtime is ahead
        const p2 = project();
        await bundleFor(p2.entry, p2);
        writeFileSync(join(p2.root, "lib", "extra.ts"), "export const extra = 42;\n");
        writeFileSync(
            p2.entry,
            `import { extra } from "./lib/extra";\n${readFileSync(p2.entry, "utf8").replace("dir: __dirname", "dir: __dirname, extra")}`,
        );
        utimesSync(p2.entry, later, later);
        const rebuilt = await bundleFor(p2.entry, p2);
        expect(rebuilt.built).toBe(true);
        expect(load(rebuilt.file).answer.extra).toBe(42);
    });

    it("rebuilds when the bundle on disk is not the one its record describes (two builds raced)", async () => {
        const p = project();
        const { file } = await bundleFor(p.entry, p);
        writeFileSync(
            file,
            `// launch build someotherbuild\n${readFileSync(file, "utf8").split("\n").slice(1).join("\n")}`,
        );
        expect((await bundleFor(p.entry, p)).built).toBe(true);
    });

    it("maps a stack trace to the TypeScript line", async () => {
        const p = project();
        writeFileSync(p.entry, 'import { where } from "./lib/where";\nwhere();\nthrow new Error("boom at line 3");\n');
        const { file } = await bundleFor(p.entry, p);
        const r = spawnSync(process.execPath, ["--enable-source-maps", file], { encoding: "utf8" });
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("boom at line 3");
        expect(r.stderr).toMatch(/main\.ts:3:\d+/);
    });

    it("keeps one cache per checkout under node_modules/.cache/tailwart", () => {
        expect(cacheDirOf(PROJECT_ROOT)).toMatch(/node_modules[\\/]\.cache[\\/]tailwart[\\/][0-9a-f]{12}$/);
        expect(cacheDirOf(tmpdir())).not.toBe(cacheDirOf(PROJECT_ROOT));
    });

    it("runs the npm scripts' CLIs and names an unknown one", () => {
        const scripts = (
            JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
        ).scripts;
        expect(scripts.plan).toBe("node scripts/launch.cjs plan");
        expect(scripts.doctor).toBe("node scripts/launch.cjs doctor");
        expect(scripts["generate:schema"]).toBe("node scripts/launch.cjs tools/schema/cli.ts");
        const r = spawnSync(process.execPath, [launcher, "no-such-cli"], { cwd: PROJECT_ROOT, encoding: "utf8" });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/no CLI entry scripts\/no-such-cli\.ts/);
    });
});
