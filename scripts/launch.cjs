// Runs one of the project's TypeScript CLIs with plain `node`, without transpiling at every start
// (tsx took ~1 s of a 1.2-1.6 s `npm run plan`). The entry and the project files it imports are
// bundled by esbuild once into node_modules/.cache/tailwart/<checkout>/, and rebuilt when any of
// those inputs (esbuild's metafile), tsconfig.json, package.json or this file is newer than the
// build. npm packages stay external: they load from node_modules as under tsx.
//
//   node scripts/launch.cjs <name | path/to/entry.ts> [arguments…]   (a bare name is scripts/<name>.ts)
//
// The CLI runs as the main module and sees the same process.argv.slice(2), cwd, environment and exit
// status as under tsx.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");

/** The bundles of one checkout: node_modules may be shared (symlinked) between several. */
function cacheDirOf(root) {
    const key = crypto.createHash("sha256").update(fs.realpathSync(root)).digest("hex").slice(0, 12);
    return path.join(root, "node_modules", ".cache", "tailwart", key);
}

/** `plan` → <root>/scripts/plan.ts; a path ending in .ts is taken relative to the root. */
function entryOf(root, nameOrPath) {
    if (!nameOrPath) throw new Error("usage: node scripts/launch.cjs <name | path/to/entry.ts> [arguments…]");
    const file = nameOrPath.endsWith(".ts")
        ? path.resolve(root, nameOrPath)
        : path.join(root, "scripts", `${nameOrPath}.ts`);
    if (!fs.existsSync(file))
        throw new Error(
            `launch: no CLI entry ${path.relative(root, file)} (give a name under scripts/ or a path to a .ts file)`,
        );
    return file;
}

/**
 * Bundled modules keep their own __dirname/__filename (components/stalwart/schema/table.ts reads a
 * file next to itself). Prepended on the first line, so source-map lines stay right; esbuild renames
 * the per-module declarations apart.
 */
const ownPathsPlugin = {
    name: "own-paths",
    setup(build) {
        build.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
            const text = fs.readFileSync(args.path, "utf8");
            if (!/\b__(dirname|filename)\b/.test(text)) return undefined;
            const own = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)}; `;
            return { contents: own + text, loader: /\.[cm]?ts$/.test(args.path) ? "ts" : "js" };
        });
    },
};

/** Files whose change makes a bundle stale besides its metafile inputs. */
const alwaysInputs = (root) => [path.join(root, "tsconfig.json"), path.join(root, "package.json"), module.filename];

function readMeta(metaFile) {
    try {
        return JSON.parse(fs.readFileSync(metaFile, "utf8"));
    } catch {
        return undefined;
    }
}

/** The bundle's first line carries its build id, so a bundle and a meta file from two racing builds never pair up. */
function firstLine(file) {
    try {
        const fd = fs.openSync(file, "r");
        const buf = Buffer.alloc(80);
        const n = fs.readSync(fd, buf, 0, buf.length, 0);
        fs.closeSync(fd);
        return buf.subarray(0, n).toString("utf8").split("\n")[0];
    } catch {
        return "";
    }
}

function isFresh(meta, bundleFile, esbuildVersion) {
    if (!meta || meta.esbuild !== esbuildVersion || firstLine(bundleFile) !== `// launch build ${meta.id}`)
        return false;
    return meta.inputs.every((file) => {
        try {
            return fs.statSync(file).mtimeMs <= meta.builtAt;
        } catch {
            return false;
        }
    });
}

/** Writes beside the target, then renames: a concurrent reader sees the old file or the new one. */
function writeAtomic(file, text) {
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
}

async function build(esbuild, root, entry, bundleFile, metaFile) {
    const id = crypto.randomBytes(8).toString("hex");
    const builtAt = Date.now();
    const result = await esbuild.build({
        absWorkingDir: root,
        entryPoints: [entry],
        outfile: bundleFile,
        bundle: true,
        write: false,
        metafile: true,
        packages: "external",
        platform: "node",
        format: "cjs",
        target: `node${process.versions.node.split(".")[0]}`,
        sourcemap: "linked",
        banner: { js: `// launch build ${id}` },
        plugins: [ownPathsPlugin],
        logLevel: "error",
    });
    const inputs = [
        ...Object.keys(result.metafile.inputs).map((f) => path.resolve(root, f)),
        ...alwaysInputs(root).filter((f) => fs.existsSync(f)),
    ];
    const out = (suffix) => result.outputFiles.find((f) => f.path.endsWith(suffix)).text;
    writeAtomic(`${bundleFile}.map`, out(".cjs.map"));
    writeAtomic(bundleFile, out(".cjs"));
    writeAtomic(metaFile, `${JSON.stringify({ id, builtAt, esbuild: esbuild.version, entry, inputs })}\n`);
}

/**
 * The bundle for `entry` under `cacheDir`, built or rebuilt when stale. `esbuild` loads only then:
 * a fresh bundle costs a few stat calls.
 */
async function bundleFor(entry, { root = ROOT, cacheDir = cacheDirOf(root) } = {}) {
    const name = path.relative(root, entry).replace(/\.ts$/, "").replace(/[\\/]/g, "__");
    const bundleFile = path.join(cacheDir, `${name}.cjs`);
    const metaFile = path.join(cacheDir, `${name}.json`);
    const meta = readMeta(metaFile);
    const esbuildVersion = require("esbuild/package.json").version;
    if (isFresh(meta, bundleFile, esbuildVersion)) return { file: bundleFile, built: false };
    fs.mkdirSync(cacheDir, { recursive: true });
    await build(require("esbuild"), root, entry, bundleFile, metaFile);
    return { file: bundleFile, built: true };
}

async function main() {
    const [nameOrPath, ...args] = process.argv.slice(2);
    let file;
    try {
        file = (await bundleFor(entryOf(ROOT, nameOrPath))).file;
    } catch (error) {
        process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(2);
    }
    // stack traces point at the .ts sources, as under tsx
    process.setSourceMapsEnabled(true);
    // the bundle runs as the main module, so an entry's `require.main === module` guard holds
    process.argv = [process.argv[0], file, ...args];
    require("node:module").runMain();
}

if (require.main === module) void main();
module.exports = { bundleFor, cacheDirOf, entryOf };
