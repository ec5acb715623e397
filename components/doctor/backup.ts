/**
 * The backup job's last success (backup key): read from the comment the job writes on Stalwart's
 * database after each stored set (components/plan/backupStatus.ts), as the Postgres admin from any
 * database, and held against the schedule: within it (plus an hour to finish) is ok, one missed run
 * a warning, two or none at all a failure. A stack without the backup key has no such check.
 */
import { backupFreshness, parseBackupStatus, STATUS_QUERY } from "../plan/backupStatus";
import { adminSession } from "./postgres";
import type { Check, DoctorTarget } from "./types";

const backupCheck: Check = {
    id: "backup",
    fix: "check that Postgres answers and the admin can log in",
    async run(ctx, signal) {
        const { settings, plan } = ctx.target;
        const backup = settings.backup!;
        const database = settings.postgres.database;
        const client = await adminSession(ctx, signal);
        try {
            const { rows } = await client.query<{ comment: string | null }>(STATUS_QUERY, [database]);
            if (rows.length === 0) {
                return {
                    status: "fail",
                    detail: `database ${database} does not exist on ${settings.postgres.host}`,
                    fix: "`pulumi up` creates it; check tailwart:postgres.database",
                };
            }
            return backupFreshness(
                backup.schedule,
                parseBackupStatus(rows[0]!.comment),
                ctx.now(),
                plan.backup!.container.name,
            );
        } finally {
            await client.end().catch(() => undefined);
        }
    },
};

export const backupChecks = (target: DoctorTarget): Check[] =>
    target.settings.backup && target.plan.backup ? [backupCheck] : [];
