// The closing line CI parses: exactly `N passed, N failed`, counting a failed typecheck or lint.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/stackConfig";

function summary(report: object | undefined, steps: object | undefined, status: number): string[] {
    const dir = mkdtempSync(join(tmpdir(), "ci-summary-"));
    if (report) writeFileSync(join(dir, ".vitest.json"), JSON.stringify(report));
    if (steps) writeFileSync(join(dir, ".test-steps.json"), JSON.stringify(steps));
    return execFileSync("node", [join(PROJECT_ROOT, "scripts/ci-summary.cjs"), join(dir, ".vitest.json"), String(status)], { encoding: "utf8" }).trim().split("\n");
}
const report = (passed: number, failed: number, pending = 0) => ({ numPassedTests: passed, numFailedTests: failed, numPendingTests: pending, numTodoTests: 0 });
const ok = { typecheck: "passed", lint: "passed", vitest: "passed" };

describe("scripts/ci-summary.cjs", () => {
    it("ends with exactly `N passed, N failed`, skips on the line before", () => {
        const lines = summary(report(10, 0, 3), ok, 0);
        expect(lines.at(-1)).toBe("10 passed, 0 failed");
        expect(lines[0]).toMatch(/^3 skipped/);
    });

    it("counts a failed typecheck and a failed lint as one failure each, next to the tests", () => {
        expect(summary(report(10, 2), { typecheck: "failed", lint: "failed", vitest: "failed" }, 1).at(-1)).toBe("10 passed, 4 failed");
    });

    it("counts a failed policy-pack typecheck like the others, and a skipped one not at all", () => {
        expect(summary(report(10, 0), { ...ok, "typecheck:policy": "failed" }, 1).at(-1)).toBe("10 passed, 1 failed");
        expect(summary(report(10, 0), { ...ok, "typecheck:policy": "skipped" }, 0).at(-1)).toBe("10 passed, 0 failed");
    });

    it("counts a vitest run that failed without a failing test, and a missing report", () => {
        expect(summary(report(10, 0), { ...ok, vitest: "failed" }, 1).at(-1)).toBe("10 passed, 1 failed");
        expect(summary(undefined, { ...ok, lint: "failed" }, 1).at(-1)).toBe("0 passed, 2 failed");
        const dir = mkdtempSync(join(tmpdir(), "ci-summary-"));
        writeFileSync(join(dir, ".vitest.json"), '{"numPassedTests": 3, "numFail');
        const cut = execFileSync("node", [join(PROJECT_ROOT, "scripts/ci-summary.cjs"), join(dir, ".vitest.json"), "1"], { encoding: "utf8" });
        expect(cut.trim()).toBe("0 passed, 1 failed");
    });
});
