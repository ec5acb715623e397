/**
 * The doctor's runner and report: a hung check fails at its own deadline without holding up the
 * others and its signal is aborted; a throwing check fails with its fix; results keep the checks'
 * order; the text report has one mark per line and the fix under a failure; the JSON is exactly
 * {"checks":[{"id","status","detail","fix"?}]}; the exit code is 0 only when nothing failed.
 */
import { describe, expect, it } from "vitest";
import {
    CheckError,
    type CheckResult,
    type DoctorContext,
    exitCode,
    formatReport,
    reportJson,
    runChecks,
    type Check,
} from "../../components/doctor";

const ctx = {} as DoctorContext; // these checks read nothing from it

const check = (id: string, run: Check["run"], timeoutMs?: number): Check => ({
    id,
    fix: `fix for ${id}`,
    run,
    ...(timeoutMs ? { timeoutMs } : {}),
});

describe("runChecks", () => {
    it("reports a hung check at its deadline, aborts its signal, and does not hold up the others", async () => {
        let aborted = false;
        const hung = check("hung", (_, signal) => {
            signal.addEventListener("abort", () => (aborted = true));
            return new Promise(() => undefined);
        });
        const quick = check("quick", async () => ({ status: "ok", detail: "fine" }));
        const started = Date.now();
        const results = await runChecks([hung, quick], ctx, 200);
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(results).toEqual([
            { id: "hung", status: "fail", detail: "no result within 0.2 s", fix: "fix for hung" },
            { id: "quick", status: "ok", detail: "fine" },
        ]);
        expect(aborted).toBe(true);
    });

    it("honours a check's own timeout over the default", async () => {
        const slow = check(
            "slow",
            () => new Promise((resolve) => setTimeout(() => resolve({ status: "ok", detail: "late" }), 150)),
            50,
        );
        expect((await runChecks([slow], ctx, 5_000))[0]).toMatchObject({
            status: "fail",
            detail: "no result within 0.05 s",
        });
    });

    it("turns a thrown CheckError into its detail and fix, anything else into the check's own fix", async () => {
        const named = check("named", async () => {
            throw new CheckError("x:Domain/get answered forbidden", "use an admin key");
        });
        const broken = check("broken", () => {
            throw new TypeError("boom");
        });
        expect(await runChecks([named, broken], ctx)).toEqual([
            { id: "named", status: "fail", detail: "x:Domain/get answered forbidden", fix: "use an admin key" },
            { id: "broken", status: "fail", detail: "the check stopped: boom", fix: "fix for broken" },
        ]);
    });
});

const results: CheckResult[] = [
    { id: "config", status: "ok", detail: "Pulumi.dev.yaml is valid" },
    { id: "stalwart.recovery-admin", status: "warn", detail: "still set", fix: "remove it" },
    { id: "dns.mx", status: "fail", detail: "no MX record", fix: "publish it" },
];

describe("report", () => {
    it("prints one marked line per check, the fix under each non-ok one, and a count", () => {
        expect(formatReport("dev", results)).toBe(
            [
                "doctor: stack dev",
                "✓ config: Pulumi.dev.yaml is valid",
                "! stalwart.recovery-admin: still set",
                "    fix: remove it",
                "✗ dns.mx: no MX record",
                "    fix: publish it",
                "1 ok, 1 warning, 1 failed",
                "",
            ].join("\n"),
        );
    });

    it("prints exactly the JSON contract, fix only where there is one", () => {
        const parsed = JSON.parse(
            reportJson([...results, { id: "edge.smtp-banner", status: "ok", detail: "220 hi", fix: "" }]),
        );
        expect(Object.keys(parsed)).toEqual(["checks"]);
        expect(parsed.checks[0]).toEqual({ id: "config", status: "ok", detail: "Pulumi.dev.yaml is valid" });
        expect(Object.keys(parsed.checks[2])).toEqual(["id", "status", "detail", "fix"]);
        expect(parsed.checks[3]).not.toHaveProperty("fix");
    });

    it("exits 0 with warnings and 1 with a failure", () => {
        expect(exitCode(results.slice(0, 2))).toBe(0);
        expect(exitCode(results)).toBe(1);
    });
});
