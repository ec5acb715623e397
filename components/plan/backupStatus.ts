/**
 * Where the backup job's last success is recorded and how old it may be. The job writes one line,
 * `tailwart-backup last-success=<UTC time> set=<name> target=<volume:…|bucket:…>`, to the target's
 * `last-success` file and as the comment on Stalwart's database (COMMENT ON DATABASE; the role owns
 * it, no table is added to Stalwart's data and pg_dump leaves database comments out). Anyone who
 * can log in can read it (STATUS_QUERY), and `backupFreshness` says whether it is as recent as the
 * schedule promises: a run has RUN_ALLOWANCE to finish, one missed run is a warning, two a failure.
 */
import { type BackupSchedule, describeSchedule, previousRun } from "../config/schedule";

export const STATUS_PREFIX = "tailwart-backup";

/** The database comment of `$1` (a database name), from the shared catalog: readable from any database. */
export const STATUS_QUERY =
    "select shobj_description(d.oid, 'pg_database') as comment from pg_database d where d.datname = $1";

/** How long a run may take before its absence counts as a missed run. */
export const RUN_ALLOWANCE_MS = 3_600_000;

export interface BackupStatus {
    lastSuccess: Date;
    set: string;
    target: string;
}

/** The recorded line, or undefined when the text holds none (no comment, another comment). */
export function parseBackupStatus(text: string | null | undefined): BackupStatus | undefined {
    const line = (text ?? "").split("\n").find((l) => l.startsWith(`${STATUS_PREFIX} `));
    if (!line) return undefined;
    const fields = Object.fromEntries(
        line
            .split(" ")
            .slice(1)
            .map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)]),
    );
    const when = new Date(fields["last-success"] ?? "");
    if (Number.isNaN(when.getTime())) return undefined;
    return { lastSuccess: when, set: fields.set ?? "", target: fields.target ?? "" };
}

export interface Freshness {
    status: "ok" | "warn" | "fail";
    detail: string;
    fix?: string;
}

/** "3 h 12 min", "2 d 4 h": how long ago, as a person reads it. */
export function ago(ms: number): string {
    const minutes = Math.max(0, Math.round(ms / 60_000));
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 48) return `${hours} h ${minutes % 60} min`;
    return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** The two times by which the last success should have happened: after the last due run, and after the one before. */
function deadlines(schedule: BackupSchedule, now: Date): [Date, Date] | undefined {
    const settled = new Date(now.getTime() - RUN_ALLOWANCE_MS);
    if (schedule.kind === "interval") {
        const s = schedule.seconds * 1000;
        return [new Date(settled.getTime() - s), new Date(settled.getTime() - 2 * s)];
    }
    const last = previousRun(schedule, settled);
    const before = last && previousRun(schedule, new Date(last.getTime() - 60_000));
    return last && before ? [last, before] : undefined;
}

/** How the recorded success compares with the schedule at `now`; `fix` names what to run on the mailbox host. */
export function backupFreshness(
    schedule: BackupSchedule,
    status: BackupStatus | undefined,
    now: Date,
    container: string,
): Freshness {
    const logs = `read the job's log on the mailbox host: \`docker logs --tail 50 ${container}\`; run one now: \`docker exec ${container} /usr/local/lib/tailwart/backup.sh run\``;
    const when = describeSchedule(schedule);
    if (!status)
        return {
            status: "fail",
            detail: `no backup has succeeded yet (schedule ${when})`,
            fix: `wait for the first scheduled run, or ${logs}`,
        };
    const seen = `last backup ${status.set} succeeded at ${status.lastSuccess.toISOString()} (${ago(now.getTime() - status.lastSuccess.getTime())} ago) into ${status.target}; schedule ${when}`;
    const due = deadlines(schedule, now);
    if (!due || status.lastSuccess >= due[0]) return { status: "ok", detail: seen };
    if (status.lastSuccess >= due[1])
        return {
            status: "warn",
            detail: `${seen}: the run due at ${due[0].toISOString()} has not succeeded`,
            fix: logs,
        };
    return { status: "fail", detail: `${seen}: two or more scheduled runs have not succeeded`, fix: logs };
}
