/**
 * Runs every check at once, each against its own deadline: a check that hangs (a port that
 * swallows packets, a server that never answers) is reported as failed when its time is up, and
 * its signal is aborted so it can close what it opened; the others are not held up. Results come
 * back in the order of the checks.
 */
import { CheckError } from "./stalwartApi";
import type { Check, CheckResult, DoctorContext, Outcome } from "./types";

export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

function thrownOutcome(e: unknown, check: Check): Outcome {
    if (e instanceof CheckError) return { status: "fail", detail: e.message, fix: e.fix };
    const message = e instanceof Error ? e.message : String(e);
    return { status: "fail", detail: `the check stopped: ${message}`, fix: check.fix };
}

async function runOne(check: Check, ctx: DoctorContext, timeoutMs: number): Promise<CheckResult> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<Outcome>((resolve) => {
        timer = setTimeout(() => {
            controller.abort(new Error(`${check.id} timed out`));
            resolve({ status: "fail", detail: `no result within ${timeoutMs / 1000} s`, fix: check.fix });
        }, timeoutMs);
    });
    try {
        const outcome = await Promise.race([
            Promise.resolve()
                .then(() => check.run(ctx, controller.signal))
                .catch((e: unknown) => thrownOutcome(e, check)),
            deadline,
        ]);
        return { id: check.id, ...outcome };
    } finally {
        clearTimeout(timer);
        // whatever the check still holds (a socket, a request) is released
        controller.abort();
    }
}

export function runChecks(
    checks: Check[],
    ctx: DoctorContext,
    defaultTimeoutMs = DEFAULT_CHECK_TIMEOUT_MS,
): Promise<CheckResult[]> {
    return Promise.all(checks.map((check) => runOne(check, ctx, check.timeoutMs ?? defaultTimeoutMs)));
}
