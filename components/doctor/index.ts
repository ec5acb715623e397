/**
 * `npm run doctor`: live checks of one running deployment (docs/doctor.md). Each group of checks
 * lives in its own file; a new group (e.g. the age of the last backup) is a file exporting its
 * checks and one line in doctorChecks.
 */
import type { ConfigError } from "../config";
import { TABLE } from "../stalwart/schema/table";
import { backendChecks } from "./backends";
import { backupChecks } from "./backup";
import { directoryChecks } from "./directory";
import { dnsChecks } from "./dns";
import { edgeChecks } from "./edge";
import { healthChecks } from "./health";
import { listenerChecks } from "./listeners";
import { postgresChecks } from "./postgres";
import { recoveryChecks } from "./recovery";
import { DEFAULT_CHECK_TIMEOUT_MS, runChecks } from "./runner";
import { StalwartReader } from "./stalwartApi";
import { tlsChecks } from "./tls";
import type { Check, CheckResult, DoctorNetwork, DoctorTarget } from "./types";

export { doctorTarget, type Env } from "./inputs";
export { systemNetwork, tcpConnect } from "./network";
export { exitCode, formatReport, reportJson } from "./report";
export { DEFAULT_CHECK_TIMEOUT_MS, runChecks } from "./runner";
export { CheckError, StalwartReader } from "./stalwartApi";
export type * from "./types";

/** Every check, in report order. */
export function doctorChecks(target: DoctorTarget): Check[] {
    return [
        ...backendChecks(target),
        ...healthChecks(),
        ...listenerChecks(),
        ...directoryChecks(),
        ...tlsChecks(),
        ...dnsChecks(),
        ...postgresChecks(),
        ...recoveryChecks(),
        ...edgeChecks(),
        ...backupChecks(target),
    ];
}

/** The registry schema this project's x:* types were generated from: the release it can recognise. */
export const KNOWN_SCHEMAS: Record<string, string> = { [TABLE.source.version]: TABLE.source.sha256 };

export interface DoctorOptions {
    net: DoctorNetwork;
    now?: () => Date;
    knownSchemas?: Record<string, string>;
    /** per check, unless a check sets its own */
    timeoutMs?: number;
    /** default: doctorChecks(target) */
    checks?: Check[];
}

/** The first line of a report: which stack file was read, and where Stalwart is reached. */
export function configResult(target: DoctorTarget, file: string): CheckResult {
    return {
        id: "config",
        status: "ok",
        detail: `${file} is valid; management API ${target.stalwart.url}, ${target.stalwart.source}`,
    };
}

/** A stack file that does not parse: the only line of the report. */
export function configFailure(error: ConfigError, file: string): CheckResult {
    return {
        id: "config",
        status: "fail",
        detail: `${file}: ${error.message}`,
        fix: "fix the listed keys (`npm run plan` prints the same problems); the doctor checks a valid stack only",
    };
}

export async function runDoctor(target: DoctorTarget, opts: DoctorOptions): Promise<CheckResult[]> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    const run = new AbortController();
    const ctx = {
        target,
        net: opts.net,
        now: opts.now ?? (() => new Date()),
        knownSchemas: opts.knownSchemas ?? KNOWN_SCHEMAS,
        stalwart: new StalwartReader(target.stalwart, opts.net, run.signal, timeoutMs),
    };
    try {
        return await runChecks(opts.checks ?? doctorChecks(target), ctx, timeoutMs);
    } finally {
        // shared reads still in flight for a check that timed out are cancelled with the run
        run.abort();
    }
}
