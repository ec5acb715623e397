/**
 * The backup job's success record as the doctor reads it, and how old it may be: within the
 * schedule (plus an hour to finish) it is fine, one missed run is a warning, two are a failure.
 */
import { describe, expect, it } from "vitest";
import { parseSchedule } from "../../components/config/schedule";
import { ago, backupFreshness, parseBackupStatus } from "../../components/plan/backupStatus";

const daily = parseSchedule("0 3 * * *").schedule!;
const sixHours = parseSchedule("6h").schedule!;
const line = (iso: string) =>
    `tailwart-backup last-success=${iso} set=stalwart-20260610T030000Z target=bucket:stalwart-backups`;
const status = (iso: string) => parseBackupStatus(line(iso))!;
const at = (iso: string) => new Date(iso);

describe("the success record", () => {
    it("reads the line the job writes, and nothing else", () => {
        expect(parseBackupStatus(`${line("2026-06-10T03:04:11Z")}\n`)).toEqual({
            lastSuccess: at("2026-06-10T03:04:11Z"),
            set: "stalwart-20260610T030000Z",
            target: "bucket:stalwart-backups",
        });
        for (const other of [
            null,
            undefined,
            "",
            "the mail database",
            "tailwart-backup last-success=soon set=x",
            "tailwart-backupx last-success=2026-06-10T03:04:11Z",
        ]) {
            expect(parseBackupStatus(other), String(other)).toBeUndefined();
        }
    });

    it("says how long ago, as a person reads it", () => {
        expect([ago(30_000), ago(59 * 60_000), ago(3 * 3600_000 + 12 * 60_000), ago(50 * 3600_000)]).toEqual([
            "1 min",
            "59 min",
            "3 h 12 min",
            "2 d 2 h",
        ]);
    });
});

describe("how old the last success may be", () => {
    const check = (schedule = daily, iso: string | undefined, now: string) =>
        backupFreshness(schedule, iso ? status(iso) : undefined, at(now), "stalwart-backup");

    it("daily at 03:00: fine until 04:00 the next day, then one missed run, then two", () => {
        expect(check(daily, "2026-06-10T03:04:11Z", "2026-06-10T09:00:00Z")).toEqual({
            status: "ok",
            detail: "last backup stalwart-20260610T030000Z succeeded at 2026-06-10T03:04:11.000Z (5 h 56 min ago) into bucket:stalwart-backups; schedule 0 3 * * * (cron, UTC)",
        });
        // the next run has an hour to finish
        expect(check(daily, "2026-06-10T03:04:11Z", "2026-06-11T03:59:00Z").status).toBe("ok");
        const missed = check(daily, "2026-06-10T03:04:11Z", "2026-06-11T04:01:00Z");
        expect(missed.status).toBe("warn");
        expect(missed.detail).toContain("the run due at 2026-06-11T03:00:00.000Z has not succeeded");
        expect(missed.fix).toBe(
            "read the job's log on the mailbox host: `docker logs --tail 50 stalwart-backup`; run one now: `docker exec stalwart-backup /usr/local/lib/tailwart/backup.sh run`",
        );
        const two = check(daily, "2026-06-10T03:04:11Z", "2026-06-12T04:01:00Z");
        expect(two.status).toBe("fail");
        expect(two.detail).toContain("two or more scheduled runs have not succeeded");
    });

    it("every 6 h: fine up to 7 h, a warning up to 13 h, a failure after", () => {
        expect(check(sixHours, "2026-06-10T00:00:00Z", "2026-06-10T06:59:00Z").status).toBe("ok");
        expect(check(sixHours, "2026-06-10T00:00:00Z", "2026-06-10T07:01:00Z").status).toBe("warn");
        expect(check(sixHours, "2026-06-10T00:00:00Z", "2026-06-10T12:59:00Z").status).toBe("warn");
        expect(check(sixHours, "2026-06-10T00:00:00Z", "2026-06-10T13:01:00Z").status).toBe("fail");
    });

    it("no success recorded at all is a failure that says how to run one", () => {
        expect(check(daily, undefined, "2026-06-10T09:00:00Z")).toEqual({
            status: "fail",
            detail: "no backup has succeeded yet (schedule 0 3 * * * (cron, UTC))",
            fix: "wait for the first scheduled run, or read the job's log on the mailbox host: `docker logs --tail 50 stalwart-backup`; run one now: `docker exec stalwart-backup /usr/local/lib/tailwart/backup.sh run`",
        });
    });
});
