// The closing line CI parses: exactly `N passed, N failed`, counting a failed typecheck or lint.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/stackConfig";

/** `steps` maps each step to its outcome, written as scripts/test.cjs does (each step 2 s, the run 5 s). */
function summary(
    report: object | undefined,
    steps: Record<string, string> | undefined,
    status: number,
    extra: string[] = [],
): string[] {
    const dir = mkdtempSync(join(tmpdir(), "ci-summary-"));
    if (report) writeFileSync(join(dir, ".vitest.json"), JSON.stringify(report));
    const timed = steps && {
        steps: Object.fromEntries(Object.entries(steps).map(([name, status]) => [name, { status, seconds: 2 }])),
        seconds: 5,
    };
    if (timed) writeFileSync(join(dir, ".test-steps.json"), JSON.stringify(timed));
    return execFileSync(
        "node",
        [join(PROJECT_ROOT, "scripts/ci-summary.cjs"), join(dir, ".vitest.json"), String(status), ...extra],
        { encoding: "utf8" },
    )
        .trim()
        .split("\n");
}
const report = (passed: number, failed: number, pending = 0) => ({
    numPassedTests: passed,
    numFailedTests: failed,
    numPendingTests: pending,
    numTodoTests: 0,
});
const ok = { typecheck: "passed", lint: "passed", vitest: "passed" };

describe("scripts/ci-summary.cjs", () => {
    it("ends with exactly `N passed, N failed`, skips on the line before", () => {
        const lines = summary(report(10, 0, 3), ok, 0);
        expect(lines.at(-1)).toBe("10 passed, 0 failed");
        expect(lines[0]).toMatch(/^3 skipped/);
    });

    it("counts a failed typecheck and a failed lint as one failure each, next to the tests", () => {
        expect(summary(report(10, 2), { typecheck: "failed", lint: "failed", vitest: "failed" }, 1).at(-1)).toBe(
            "10 passed, 4 failed",
        );
        expect(summary(report(10, 0), { ...ok, cycles: "failed" }, 1).at(-1)).toBe("10 passed, 1 failed");
    });

    it("prints each step's wall time, those .ci/run measured first, on the line before the closing one", () => {
        const lines = summary(report(10, 0), { ...ok, cycles: "passed", "typecheck:policy": "skipped" }, 0, [
            "--time",
            "npm ci=21.5",
            "--time",
            "services=0.3",
        ]);
        expect(lines.at(-2)).toBe(
            "wall time: npm ci 21.5 s, services 0.3 s, typecheck 2 s, lint 2 s, vitest 2 s, cycles 2 s, npm test 5 s (steps side by side)",
        );
        expect(lines.at(-1)).toBe("10 passed, 0 failed");
        expect(summary(undefined, { ...ok, vitest: "failed" }, 1).slice(-2)).toEqual([
            "wall time: typecheck 2 s, lint 2 s, vitest 2 s, npm test 5 s (steps side by side)",
            "0 passed, 1 failed",
        ]);
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
        const cut = execFileSync(
            "node",
            [join(PROJECT_ROOT, "scripts/ci-summary.cjs"), join(dir, ".vitest.json"), "1"],
            { encoding: "utf8" },
        );
        expect(cut.trim()).toBe("0 passed, 1 failed");
    });
});
