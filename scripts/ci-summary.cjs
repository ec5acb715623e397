// Prints the closing line CI reads (exactly `N passed, N failed`), from vitest's JSON report and the
// steps scripts/test.cjs ran: a failed typecheck or lint counts as one failure each, and so does a
// vitest run that failed without a failing test (or left no report). Skips go on the line before.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const [file, status] = process.argv.slice(2);
const stepsFile = path.join(path.dirname(path.resolve(file)), ".test-steps.json");
/** A file's JSON, or undefined when it is missing or cut short (a killed run). */
const read = (f) => {
    try {
        return JSON.parse(fs.readFileSync(f, "utf8"));
    } catch {
        return undefined;
    }
};
const steps = read(stepsFile) ?? {};
// every step but vitest (whose failures are the tests'): typecheck, typecheck:policy, lint, cycles
const stepFailures = Object.keys(steps).filter((s) => s !== "vitest" && steps[s] === "failed").length;
const r = read(file);
if (!r) {
    console.log(`0 passed, ${stepFailures + 1} failed`);
    process.exit(0);
}
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const vitestFailedSilently = (steps.vitest === "failed" || (Number(status) !== 0 && stepFailures === 0)) && r.numFailedTests === 0 ? 1 : 0;
const failed = r.numFailedTests + stepFailures + vitestFailedSilently;
if (skipped) console.log(`${skipped} skipped (acceptance needs STALWART_URL; see docs/acceptance.md)`);
console.log(`${r.numPassedTests} passed, ${failed} failed`);
