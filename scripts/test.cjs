// `npm test`: typecheck, lint, the import-cycle gate and every vitest test. Each step runs even when an earlier one failed,
// so one type error never hides the test results; the exit status is non-zero when any step failed.
// Arguments go to vitest. The steps' outcomes are written to .test-steps.json for scripts/ci-summary.cjs.
"use strict";
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
// The policy pack (policy/) has its own package and tsconfig; it is type-checked once
// `npm ci --prefix policy` has installed @pulumi/policy (.ci/run does).
const policyInstalled = fs.existsSync(path.join(root, "policy", "node_modules", "@pulumi", "policy"));
const steps = [
    ["typecheck", bin("tsc"), ["--noEmit", "-p", "."]],
    ["typecheck:policy", bin("tsc"), ["--noEmit", "-p", "policy"]],
    ["lint", bin("eslint"), ["--max-warnings", "0", "."]],
    ["cycles", process.execPath, [path.join(__dirname, "check-cycles.cjs")]],
    ["vitest", bin("vitest"), ["run", ...process.argv.slice(2)]],
];
const outcome = {};
for (const [name, file, args] of steps) {
    if (name === "typecheck:policy" && !policyInstalled) {
        // in CI a missing install is a failure; on a developer's machine, a notice
        console.log(`\n== ${name}: policy/node_modules is missing; run \`npm ci --prefix policy\``);
        outcome[name] = process.env.CI ? "failed" : "skipped";
        continue;
    }
    console.log(`\n== ${name}: ${path.basename(file)} ${args.join(" ")}`);
    const r = spawnSync(file, args, { cwd: root, stdio: "inherit" });
    outcome[name] = r.status === 0 ? "passed" : "failed";
}
fs.writeFileSync(path.join(root, ".test-steps.json"), `${JSON.stringify(outcome)}\n`);
const failed = Object.keys(outcome).filter((k) => outcome[k] === "failed");
console.log(`\n== ${failed.length ? `failed: ${failed.join(", ")}` : "typecheck, lint and tests passed"}`);
process.exit(failed.length ? 1 : 0);
