/**
 * The backup job's script, executed under `sh` with stub tools (test/backup/support.ts): what a run
 * writes and in what order, the set's name, retention pruning, the success record, what a failure
 * leaves behind, the lock, and the schedule's arithmetic checked against the TypeScript parser.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cronMatches, type CronSchedule, parseSchedule, previousRun } from "../../components/config/schedule";
import { parseBackupStatus } from "../../components/plan/backupStatus";
import { fakeSet, PASSWORD, removeSandboxes, sandbox, S3_KEYS } from "./support";

afterAll(removeSandboxes);

const SET_NAME = /^stalwart-\d{8}T\d{6}Z$/;
const sets = (dir: string) =>
    readdirSync(dir)
        .filter((n) => n.startsWith("stalwart-"))
        .sort();

describe("backup.sh run, volume target", () => {
    it("dumps the database, then exports the store, and stores a complete set named by its UTC time", () => {
        const box = sandbox();
        const before = new Date();
        const r = box.run("backup", ["run"]);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        const [name] = sets(box.backupDir);
        expect(name).toMatch(SET_NAME);
        const stamp = name!
            .slice("stalwart-".length)
            .replace(/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z/, "$1-$2-$3T$4:$5:$6Z");
        expect(Math.abs(new Date(stamp).getTime() - before.getTime())).toBeLessThan(5_000);
        const set = join(box.backupDir, name!);
        expect(readdirSync(set).sort()).toEqual(["MANIFEST", "export", "postgres.dump"]);
        expect(readFileSync(join(set, "postgres.dump"), "utf8")).toBe("dump of stalwart as stalwart\n");
        // pg_dump first (a consistent snapshot), then the export; MANIFEST records the dump's hash
        const log = box.log();
        const dump = log.findIndex((l) => l.startsWith("pg_dump --format=custom --file="));
        const exported = log.findIndex((l) => l.startsWith(`stalwart --config ${box.input.stalwartConfig} --export `));
        expect(dump).toBeGreaterThanOrEqual(0);
        expect(exported).toBeGreaterThan(dump);
        const manifest = readFileSync(join(set, "MANIFEST"), "utf8");
        expect(manifest).toContain(`set=${name}\n`);
        expect(manifest).toMatch(/postgres\.dump\.sha256=[0-9a-f]{64}\n/);
        expect(manifest).toContain("export.files=2\n");
        expect(manifest).toContain("stalwart=stalwart 0.16.18\n");
        // nothing left half-written beside it
        expect(readdirSync(box.backupDir).sort()).toEqual(["last-success", name]);
        expect(existsSync(join(box.stateDir, "lock"))).toBe(false);
    });

    it("records the success in the target and as the database's comment, in the line the doctor parses", () => {
        const box = sandbox();
        expect(box.run("backup", ["run"]).status).toBe(0);
        const [name] = sets(box.backupDir);
        const line = readFileSync(join(box.backupDir, "last-success"), "utf8");
        const status = parseBackupStatus(line)!;
        expect(status.set).toBe(name);
        expect(status.target).toBe("volume:stalwart-backups");
        expect(Date.now() - status.lastSuccess.getTime()).toBeLessThan(10_000);
        const comment = box.log().find((l) => l.startsWith("psql "))!;
        expect(comment).toContain("-v ON_ERROR_STOP=1 -v dbname=stalwart -v status=tailwart-backup last-success=");
        expect(comment).toContain(`COMMENT ON DATABASE :"dbname" IS :'status';`);
        expect(readFileSync(join(box.stateDir, "last-success"), "utf8")).toBe(line);
    });

    it("keeps the newest `retention` sets and clears unfinished ones, leaving other files alone", () => {
        const box = sandbox({ retention: 2 });
        for (const stamp of ["20260101T030000Z", "20260102T030000Z", "20260103T030000Z"]) fakeSet(box.backupDir, stamp);
        fakeSet(box.backupDir, "20260104T030000Z", { manifest: false });
        mkdirSync(join(box.backupDir, ".partial-stalwart-20260105T030000Z"));
        writeFileSync(join(box.backupDir, "README"), "operator's note\n");
        const r = box.run("backup", ["run"]);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        const kept = sets(box.backupDir);
        expect(kept).toHaveLength(2);
        expect(kept[0]).toBe("stalwart-20260103T030000Z");
        expect(kept[1]).toMatch(SET_NAME);
        expect(readdirSync(box.backupDir).filter((n) => n.startsWith("."))).toEqual([]);
        expect(readFileSync(join(box.backupDir, "README"), "utf8")).toBe("operator's note\n");
        expect(r.stdout).toContain("removing the incomplete set stalwart-20260104T030000Z");
        expect(r.stdout).toContain("removing stalwart-20260101T030000Z (keeping the newest 2)");
    });

    it.each([
        ["pg_dump", { STUB_FAIL: "pg_dump" }, "pg_dump failed (exit 1)"],
        ["stalwart --export", { STUB_FAIL: "stalwart" }, "stalwart --export failed (exit 3)"],
        ["an empty export", { STUB_EXPORT_EMPTY: "1" }, "stalwart --export wrote nothing"],
    ])("a failed %s keeps the previous sets and the last success, and says so", (_what, env, message) => {
        const box = sandbox({ retention: 1 });
        const old = fakeSet(box.backupDir, "20260101T030000Z");
        writeFileSync(
            join(box.backupDir, "last-success"),
            "tailwart-backup last-success=2026-01-01T03:04:00Z set=stalwart-20260101T030000Z target=volume:stalwart-backups\n",
        );
        const r = box.run("backup", ["run"], env);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain(message);
        expect(r.stdout).toContain("FAILED; the previous sets are kept");
        expect(sets(box.backupDir)).toEqual([old]);
        expect(readdirSync(box.backupDir).sort()).toEqual(["last-success", old]);
        expect(parseBackupStatus(readFileSync(join(box.backupDir, "last-success"), "utf8"))!.set).toBe(old);
        expect(box.log().some((l) => l.startsWith("psql "))).toBe(false);
        expect(existsSync(join(box.stateDir, "lock"))).toBe(false);
    });

    it("a success Postgres cannot record is a failure, though the set is stored", () => {
        const box = sandbox();
        const r = box.run("backup", ["run"], { STUB_FAIL: "psql" });
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("stored, but the success could not be recorded in Postgres");
        expect(sets(box.backupDir)).toHaveLength(1);
    });

    it("refuses to run without the role's password, naming the variable", () => {
        const box = sandbox();
        const r = box.run("backup", ["run"], { STALWART_DB_PASSWORD: "" });
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("STALWART_DB_PASSWORD is not set in the container");
        expect(box.log()).toEqual([]);
    });

    it("waits for a running backup or restore, and takes over a lock whose process is gone", () => {
        const box = sandbox();
        mkdirSync(join(box.stateDir, "lock"), { recursive: true });
        writeFileSync(join(box.stateDir, "lock", "pid"), `${process.pid}\n`);
        const held = box.run("backup", ["run"]);
        expect(held.status).toBe(1);
        expect(held.stdout).toContain(`another backup or restore (pid ${process.pid}) is running`);
        expect(box.log()).toEqual([]);
        writeFileSync(join(box.stateDir, "lock", "pid"), "2147483646\n");
        const stale = box.run("backup", ["run"]);
        expect(stale.status, stale.stdout).toBe(0);
        expect(stale.stdout).toContain("taking over the lock of pid 2147483646");
    });

    it("never prints the password, and the scripts do not hold it", () => {
        const box = sandbox();
        const ok = box.run("backup", ["run"]);
        const failed = box.run("backup", ["run"], { STUB_FAIL: "pg_dump" });
        for (const text of [
            ok.stdout,
            ok.stderr,
            failed.stdout,
            failed.stderr,
            box.backupScript,
            box.restoreScript,
            box.log().join("\n"),
        ]) {
            expect(text).not.toContain(PASSWORD);
        }
    });
});

describe("backup.sh run, bucket target", () => {
    it("uploads the set with MANIFEST last, records the success and prunes through rclone", () => {
        const box = sandbox({ kind: "bucket", retention: 1 });
        const bucket = join(box.bucketRoot, "stalwart-backups");
        mkdirSync(bucket);
        const old = fakeSet(bucket, "20260101T030000Z");
        const r = box.run("backup", ["run"]);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        const [name] = sets(bucket);
        expect(name).toMatch(SET_NAME);
        expect(name).not.toBe(old);
        expect(readdirSync(join(bucket, name!)).sort()).toEqual(["MANIFEST", "export", "postgres.dump"]);
        const uploads = box.log().filter((l) => /^rclone (copy|copyto) /.test(l));
        expect(uploads).toEqual([
            expect.stringMatching(
                new RegExp(`^rclone copy --exclude /MANIFEST \\S+/staging/${name} backup:stalwart-backups/${name}$`),
            ),
            expect.stringMatching(new RegExp(`^rclone copyto \\S+/MANIFEST backup:stalwart-backups/${name}/MANIFEST$`)),
        ]);
        expect(parseBackupStatus(readFileSync(join(bucket, "last-success"), "utf8"))!.target).toBe(
            "bucket:stalwart-backups",
        );
        // staged on the container's disk only until uploaded
        expect(readdirSync(join(box.stateDir, "staging"))).toEqual([]);
        expect(r.stdout + r.stderr + box.backupScript).not.toContain(S3_KEYS.RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY);
    });

    it("without the bucket's keys nothing is stored and the run fails", () => {
        const box = sandbox({ kind: "bucket" });
        const r = box.run("backup", ["run"], { RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY: "" });
        expect(r.status).toBe(1);
        expect(r.stderr).toContain("rclone: AccessDenied");
        expect(r.stdout).toContain("could not clear unfinished sets from bucket:stalwart-backups");
        expect(box.log().some((l) => l.startsWith("pg_dump"))).toBe(false);
    });
});

describe("backup.sh due and schedule", () => {
    const epoch = (d: Date) => String(Math.floor(d.getTime() / 1000));

    it.each([
        "0 3 * * *",
        "*/15 9-17 * * 1-5",
        "30 2 1,15 * *",
        "0 0 1 * mon",
        "45 23 * feb 0,6",
        "@weekly",
        "0 12 13 * 5",
    ])("fires in the same minutes as the TypeScript parser: %s", (expression) => {
        const schedule = parseSchedule(expression).schedule as CronSchedule & { text: string };
        const box = sandbox({ schedule: expression });
        let seed = expression.length * 7919;
        const random = () => ((seed = (seed * 48271) % 2147483647), seed / 2147483647);
        const times = Array.from(
            { length: 10 },
            () => new Date(Date.UTC(2026, 0, 1) + Math.floor(random() * 366 * 86400) * 1000),
        );
        const hits = times.map((t) => previousRun(schedule, t)!);
        for (const at of [...times, ...hits]) {
            const r = box.run("backup", ["due", epoch(at)]);
            expect({ at: at.toISOString(), due: r.status === 0 }).toEqual({
                at: at.toISOString(),
                due: cronMatches(schedule, at),
            });
        }
        expect(hits.every((h) => cronMatches(schedule, h))).toBe(true);
    });

    it("an interval is due once the last success is that old, and a failed attempt waits an hour", () => {
        const box = sandbox({ schedule: "6h" });
        const now = Date.UTC(2026, 5, 1, 12, 0, 0);
        const at = (ms: number) => String(Math.floor(ms / 1000));
        mkdirSync(box.stateDir, { recursive: true });
        expect(box.run("backup", ["due", at(now)]).status).toBe(0); // never succeeded
        writeFileSync(
            join(box.stateDir, "last-success"),
            `tailwart-backup last-success=${new Date(now - 5 * 3600_000).toISOString()} set=x target=volume:v\n`,
        );
        expect(box.run("backup", ["due", at(now)]).status).toBe(1);
        expect(box.run("backup", ["due", at(now + 3600_000)]).status).toBe(0);
        writeFileSync(join(box.stateDir, "last-attempt"), at(now + 3000_000));
        expect(box.run("backup", ["due", at(now + 3600_000)]).status).toBe(1);
        expect(box.run("backup", ["due", at(now + 3000_000 + 3600_000)]).status).toBe(0);
    });

    it("schedule: starts from the target's last success, backs up only when due, and stops on TERM", () => {
        const box = sandbox({ schedule: "1d" });
        // a sleep that ends the loop after its first pass, as `docker stop` would
        writeFileSync(join(box.dir, "bin", "sleep"), "#!/bin/sh\nkill -TERM $PPID\n", { mode: 0o755 });
        writeFileSync(
            join(box.backupDir, "last-success"),
            `tailwart-backup last-success=${new Date(Date.now() - 3600_000).toISOString()} set=stalwart-x target=volume:stalwart-backups\n`,
        );
        const recent = box.run("backup", ["schedule"]);
        expect(recent.status, recent.stdout + recent.stderr).toBe(0);
        expect(recent.stdout).toContain("started: schedule 1d (UTC), keeping 3, into volume:stalwart-backups");
        expect(recent.stdout).toContain("stopping");
        expect(sets(box.backupDir)).toEqual([]);
        writeFileSync(
            join(box.backupDir, "last-success"),
            "tailwart-backup last-success=2026-01-01T00:00:00Z set=stalwart-x target=volume:stalwart-backups\n",
        );
        const stale = box.run("backup", ["schedule"]);
        expect(stale.status, stale.stdout + stale.stderr).toBe(0);
        expect(sets(box.backupDir)).toHaveLength(1);
        expect(readFileSync(join(box.stateDir, "last-attempt"), "utf8").trim()).toMatch(/^\d+$/);
    });
});
