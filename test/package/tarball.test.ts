// What `npm pack` puts in the tarball: the built package and what it reads at run time, nothing of
// the repository's sources, tests or tools; and the program stays the repository's, not the package's.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROVIDER_CORES } from "../../scripts/build";
import { ensureBuilt } from "../support/built";
import { PROJECT_ROOT } from "../support/stackConfig";

interface PackEntry {
    path: string;
    size: number;
}

let files: string[] = [];

beforeAll(async () => {
    await ensureBuilt();
    const run = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: PROJECT_ROOT,
        encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    const [info] = JSON.parse(run.stdout) as { size: number; unpackedSize: number; files: PackEntry[] }[];
    files = info!.files.map((f) => f.path);
    console.log(
        `tarball: ${files.length} files, ${(info!.size / 1024).toFixed(0)} KB packed, ${(info!.unpackedSize / 1024).toFixed(0)} KB unpacked`,
    );
}, 300_000);

describe("the packed package", () => {
    it("holds both entry points with their declarations, the schema table, the provider bundles and the edge's build context", () => {
        const needed = [
            "package.json",
            "README.md",
            "dist/index.js",
            "dist/index.d.ts",
            "dist/stalwart/index.js",
            "dist/stalwart/index.d.ts",
            "dist/stalwart/generated/table.json",
            "caddy/Dockerfile",
            ...PROVIDER_CORES.map((core) => `dist/${core}.bundle`),
        ];
        expect(files).toEqual(expect.arrayContaining(needed));
    });

    it("holds no TypeScript source, test, example, tool or build stamp", () => {
        const strays = files.filter(
            (f) =>
                /^(components|test|examples|scripts|tools|schema|policy)\//.test(f) ||
                (/\.ts$/.test(f) && !f.endsWith(".d.ts")) ||
                f.startsWith("."),
        );
        expect(strays).toEqual([]);
    });

    it("is publishable under its name, with exports for tailwart and tailwart/stalwart", () => {
        const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8"));
        expect(manifest).toMatchObject({ name: "tailwart", main: "dist/index.js", types: "dist/index.d.ts" });
        expect(manifest.private).toBeUndefined();
        expect(Object.keys(manifest.exports)).toEqual([".", "./stalwart", "./package.json"]);
        expect(manifest.dependencies).not.toHaveProperty("esbuild");
    });
});

describe("the program", () => {
    it("is index.ts, named in Pulumi.yaml: without it Pulumi would run the package's entry point (dist/index.js)", () => {
        const project = parse(readFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), "utf8")) as { main?: string };
        expect(project.main).toBe("index.ts");
    });
});
