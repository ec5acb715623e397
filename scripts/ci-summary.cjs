// Prints the closing line CI reads (exactly `N passed, N failed`), from vitest's JSON report and the
// steps scripts/test.cjs ran: every other failed step (typecheck, typecheck:policy, lint, cycles)
// counts as one failure each (a skipped one not at all), and so does a vitest run that failed without
// a failing test (or left no report). Before it: the skips, then one line of wall times: those
// .ci/run measured (`--time "npm ci=21.3"`, repeatable) and each npm test step's.
//
//   node scripts/ci-summary.cjs <vitest JSON report> <npm test exit status> [--time <label>=<seconds>]…
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const [file, status, ...rest] = process.argv.slice(2);
const measured = rest.flatMap((arg, i) =>
    rest[i - 1] === "--time" && /^[^=]+=\d+(\.\d+)?$/.test(arg) ? [arg.split("=")] : [],
);
const stepsFile = path.join(path.dirname(path.resolve(file)), ".test-steps.json");
/** A file's JSON, or undefined when it is missing or cut short (a killed run). */
const read = (f) => {
    try {
        return JSON.parse(fs.readFileSync(f, "utf8"));
    } catch {
        return undefined;
    }
};
const run = read(stepsFile) ?? {};
const steps = run.steps ?? {};
// every step but vitest, whose failures are the tests'
const stepFailures = Object.keys(steps).filter((s) => s !== "vitest" && steps[s].status === "failed").length;

const times = [
    ...measured.map(([label, seconds]) => `${label} ${Number(seconds)} s`),
    ...Object.entries(steps)
        .filter(([, s]) => s.status !== "skipped")
        .map(([name, s]) => `${name} ${s.seconds} s`),
    ...(run.seconds !== undefined ? [`npm test ${run.seconds} s (steps side by side)`] : []),
];
const timeLine = () => times.length && console.log(`wall time: ${times.join(", ")}`);
const r = read(file);
if (!r) {
    timeLine();
    console.log(`0 passed, ${stepFailures + 1} failed`);
    process.exit(0);
}
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
const vitestFailed = steps.vitest?.status === "failed";
const vitestFailedSilently =
    (vitestFailed || (Number(status) !== 0 && stepFailures === 0)) && r.numFailedTests === 0 ? 1 : 0;
const failed = r.numFailedTests + stepFailures + vitestFailedSilently;
if (skipped) console.log(`${skipped} skipped (acceptance needs STALWART_URL; see docs/acceptance.md)`);
timeLine();
console.log(`${r.numPassedTests} passed, ${failed} failed`);
