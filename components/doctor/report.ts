/**
 * The doctor's two outputs, pure: one line per check for a person (✓ ok, ✗ fail, ! warn, the fix
 * indented under it) and the JSON contract `{"checks":[{"id","status","detail","fix"?}]}`.
 */
import type { CheckResult, CheckStatus } from "./types";

const MARK: Record<CheckStatus, string> = { ok: "✓", fail: "✗", warn: "!" };

export function formatReport(stack: string, results: CheckResult[]): string {
    const lines = [`doctor: stack ${stack}`];
    for (const r of results) {
        lines.push(`${MARK[r.status]} ${r.id}: ${r.detail}`);
        if (r.fix && r.status !== "ok") lines.push(`    fix: ${r.fix}`);
    }
    const count = (s: CheckStatus) => results.filter((r) => r.status === s).length;
    lines.push(`${count("ok")} ok, ${count("warn")} warning${count("warn") === 1 ? "" : "s"}, ${count("fail")} failed`);
    return `${lines.join("\n")}\n`;
}

/** Exactly the contract's names and order; `fix` only when there is one. */
export function reportJson(results: CheckResult[]): string {
    const checks = results.map((r) => ({
        id: r.id,
        status: r.status,
        detail: r.detail,
        ...(r.fix ? { fix: r.fix } : {}),
    }));
    return `${JSON.stringify({ checks }, null, 2)}\n`;
}

/** 0 only when nothing failed (warnings do not fail a run). */
export const exitCode = (results: CheckResult[]): number => (results.some((r) => r.status === "fail") ? 1 : 0);
