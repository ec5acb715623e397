// Which test files must run in a fresh process (vitest.config.mts). Two things in @pulumi/pulumi read
// process-wide state that earlier files in a shared worker would leave behind:
// - `pulumi.runtime.setMocks` installs the mock monitor, stack, project and config for the process;
// - closure serialization (`serializeFunction`, behind every dynamic provider) captures whatever the
//   serialized functions reach now, e.g. a provider shell another file already called in-process
//   (its lazily built provider then travels with it), and crawls the require cache.
// So a file that calls either, itself or through a helper under test/ (test/components/harness.ts,
// test/support/providerHost.ts), runs isolated. Every other file shares worker processes with its
// neighbours: a worker imports @pulumi/pulumi, vitest and the project's modules once, not per file.
//
// Decided from the files' text rather than a list of names, so moving or adding a test file needs
// no change to the config. CommonJS, so the config loads it with no TypeScript step and it knows
// its own directory.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const READS_PROCESS_STATE = /\b(setMocks|serializeFunction)\s*\(/;
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

/** Whether `file`, or a file under `within` it imports (transitively), calls setMocks or serializeFunction. */
function needsOwnProcess(file, within, seen = new Set()) {
    if (seen.has(file)) return false;
    seen.add(file);
    const text = fs.readFileSync(file, "utf8");
    if (READS_PROCESS_STATE.test(text)) return true;
    for (const [, spec] of text.matchAll(RELATIVE_IMPORT)) {
        const target = resolveLocal(file, spec, within);
        if (target && needsOwnProcess(target, within, seen)) return true;
    }
    return false;
}

/** The test files under `<root>/test` that need a process of their own, as root-relative POSIX paths. */
function isolatedTestFiles(root = path.join(__dirname, "..", "..")) {
    const within = path.join(root, "test");
    return testFiles(within)
        .filter((f) => needsOwnProcess(f, within))
        .map((f) => path.relative(root, f).split(path.sep).join("/"))
        .sort();
}

module.exports = { isolatedTestFiles };
