// Which test files must run in a fresh process (vitest.config.mts). `pulumi.runtime.setMocks`
// installs process-wide state (mock monitor, stack, project, config) that later files would
// inherit, so a file that installs mocks, itself or through a helper under test/
// (test/components/harness.ts), runs isolated. Every other file shares worker processes with its
// neighbours: a worker imports @pulumi/pulumi, vitest and the project's modules once, not per file.
//
// Decided from the files' text rather than a list of names, so moving or adding a test file needs
// no change to the config. CommonJS, so the config loads it with no TypeScript step and it knows
// its own directory.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const INSTALLS_MOCKS = /\bsetMocks\s*\(/;
const RELATIVE_IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

function testFiles(dir) {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const file = path.join(dir, e.name);
        if (e.isDirectory()) return testFiles(file);
        return e.name.endsWith(".test.ts") ? [file] : [];
    });
}

/** `spec` imported from `from`, as a .ts file under `within`; undefined for anything outside it. */
function resolveLocal(from, spec, within) {
    const base = path.resolve(path.dirname(from), spec);
    if (!base.startsWith(within + path.sep)) return undefined;
    return [base, `${base}.ts`, path.join(base, "index.ts")].find((f) => f.endsWith(".ts") && fs.existsSync(f));
}

/** Whether `file`, or a file under `within` it imports (transitively), calls setMocks. */
function installsMocks(file, within, seen = new Set()) {
    if (seen.has(file)) return false;
    seen.add(file);
    const text = fs.readFileSync(file, "utf8");
    if (INSTALLS_MOCKS.test(text)) return true;
    for (const [, spec] of text.matchAll(RELATIVE_IMPORT)) {
        const target = resolveLocal(file, spec, within);
        if (target && installsMocks(target, within, seen)) return true;
    }
    return false;
}

/** The test files under `<root>/test` that install Pulumi mocks, as root-relative POSIX paths. */
function mockedTestFiles(root = path.join(__dirname, "..", "..")) {
    const within = path.join(root, "test");
    return testFiles(within)
        .filter((f) => installsMocks(f, within))
        .map((f) => path.relative(root, f).split(path.sep).join("/"))
        .sort();
}

module.exports = { mockedTestFiles };
