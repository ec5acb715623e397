// Prints the closing line CI reads (exactly `N passed, N failed`), from vitest's JSON report; skipped
// tests go on the line before, so the last line keeps that shape. When typecheck or lint failed
// before vitest ran, there is no report: that counts as one failure.
"use strict";
const fs = require("node:fs");
const [file, status] = process.argv.slice(2);
if (!fs.existsSync(file)) {
    console.log(`0 passed, 1 failed`);
    process.exit(0);
}
const r = JSON.parse(fs.readFileSync(file, "utf8"));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const failed = r.numFailedTests + (Number(status) !== 0 && r.numFailedTests === 0 ? 1 : 0);
if (skipped) console.log(`${skipped} skipped (acceptance needs STALWART_URL; see docs/acceptance.md)`);
console.log(`${r.numPassedTests} passed, ${failed} failed`);
