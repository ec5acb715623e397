// Prints the closing line CI reads (exactly `N passed, N failed`), from vitest's JSON report and the
// steps scripts/test.cjs ran: a failed typecheck or lint counts as one failure each, and so does a
// vitest run that failed without a failing test (or left no report). Skips go on the line before.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const [file, status] = process.argv.slice(2);
const stepsFile = path.join(path.dirname(path.resolve(file)), ".test-steps.json");
const steps = fs.existsSync(stepsFile) ? JSON.parse(fs.readFileSync(stepsFile, "utf8")) : {};
const stepFailures = ["typecheck", "lint"].filter((s) => steps[s] === "failed").length;
if (!fs.existsSync(file)) {
    console.log(`0 passed, ${stepFailures + 1} failed`);
    process.exit(0);
}
const r = JSON.parse(fs.readFileSync(file, "utf8"));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const vitestFailedSilently = (steps.vitest === "failed" || (Number(status) !== 0 && stepFailures === 0)) && r.numFailedTests === 0 ? 1 : 0;
const failed = r.numFailedTests + stepFailures + vitestFailedSilently;
if (skipped) console.log(`${skipped} skipped (acceptance needs STALWART_URL; see docs/acceptance.md)`);
console.log(`${r.numPassedTests} passed, ${failed} failed`);
