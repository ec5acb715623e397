/**
 * The doctor's `backup` check, with a stand-in Postgres client that answers the comment the job
 * writes on the database: ok within the schedule, a warning after one missed run, a failure after
 * two, with none recorded, without the database, or when the admin cannot log in; and no check at
 * all for a stack without the backup key. (test/backup/postgres.test.ts runs it against a real
 * server after a real backup.)
 */
import { describe, expect, it } from "vitest";
import { doctorChecks, type PgClientConfig, type PgClientLike } from "../../components/doctor";
import { fakeNetwork, run, target } from "./support";

// the doctor's clock in these tests: 2026-11-22T12:00:00Z
const SCHEDULE = { schedule: "0 3 * * *", retention: 7, target: { volume: "stalwart-backups" } };
const line = (iso: string) =>
    `tailwart-backup last-success=${iso} set=stalwart-20261122T030000Z target=volume:stalwart-backups`;

/** A network whose Postgres answers the comment query with `rows`, recording what was asked. */
function postgresAnswering(rows: { comment: string | null }[] | Error) {
    const asked: { config?: PgClientConfig; sql?: string; values?: unknown[] } = {};
    const net = fakeNetwork();
    net.pgClient = (config): PgClientLike => {
        asked.config = config;
        return {
            connect: async () => {
                if (rows instanceof Error) throw rows;
            },
            query: async <R>(sql: string, values?: unknown[]) => {
                asked.sql = sql;
                asked.values = values;
                return { rows: rows as unknown as R[] };
            },
            end: async () => undefined,
        };
    };
    return { net, asked };
}

const stack = () => target(undefined, (raw) => (raw.backup = SCHEDULE), { PGPASSWORD: "admin-pw" });

describe("backup", () => {
    it("passes when the last success is within the schedule, read as the admin from the database's comment", async () => {
        const { net, asked } = postgresAnswering([{ comment: line("2026-11-22T03:04:11Z") }]);
        const r = (await run(stack(), net, ["backup"])).backup!;
        expect(r).toEqual({
            id: "backup",
            status: "ok",
            detail: "last backup stalwart-20261122T030000Z succeeded at 2026-11-22T03:04:11.000Z (8 h 56 min ago) into volume:stalwart-backups; schedule 0 3 * * * (cron, UTC)",
        });
        expect(asked.config).toMatchObject({ user: "postgres", password: "admin-pw", database: "postgres" });
        expect(asked.sql).toContain("shobj_description");
        expect(asked.values).toEqual(["stalwart"]);
    });

    it("warns after one missed run and fails after two, saying what to run on the mailbox host", async () => {
        const warn = (
            await run(stack(), postgresAnswering([{ comment: line("2026-11-21T03:04:11Z") }]).net, ["backup"])
        ).backup!;
        expect(warn.status).toBe("warn");
        expect(warn.detail).toContain("the run due at 2026-11-22T03:00:00.000Z has not succeeded");
        expect(warn.fix).toContain("docker logs --tail 50 stalwart-backup");
        const fail = (
            await run(stack(), postgresAnswering([{ comment: line("2026-11-19T03:04:11Z") }]).net, ["backup"])
        ).backup!;
        expect(fail.status).toBe("fail");
        expect(fail.fix).toContain("docker exec stalwart-backup /usr/local/lib/tailwart/backup.sh run");
    });

    it("fails when no success is recorded, the database is missing, or the admin cannot log in", async () => {
        const none = (await run(stack(), postgresAnswering([{ comment: null }]).net, ["backup"])).backup!;
        expect(none).toMatchObject({
            status: "fail",
            detail: "no backup has succeeded yet (schedule 0 3 * * * (cron, UTC))",
        });
        const other = (await run(stack(), postgresAnswering([{ comment: "the mail database" }]).net, ["backup"]))
            .backup!;
        expect(other.status).toBe("fail");
        const missing = (await run(stack(), postgresAnswering([]).net, ["backup"])).backup!;
        expect(missing).toMatchObject({
            status: "fail",
            detail: "database stalwart does not exist on the-record-prod.tail7b1641.ts.net",
        });
        const denied = (
            await run(stack(), postgresAnswering(new Error("password authentication failed")).net, ["backup"])
        ).backup!;
        expect(denied.status).toBe("fail");
        expect(denied.detail).toBe(
            "cannot log in to Postgres the-record-prod.tail7b1641.ts.net:5432 as postgres: password authentication failed",
        );
    });

    it("is not among the checks of a stack without the backup key", () => {
        expect(doctorChecks(stack()).map((c) => c.id)).toContain("backup");
        expect(doctorChecks(target(undefined)).map((c) => c.id)).not.toContain("backup");
    });
});
