/**
 * The restore procedure of docs/runbooks/backups.md as the script runs it, under `sh` with stub
 * tools: the confirmation, the refusal while Stalwart (any other session of the role) is connected,
 * the set checked against its MANIFEST, and the order: empty the database, `stalwart --import`,
 * then `pg_restore --clean` in one transaction.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fakeSet, removeSandboxes, sandbox } from "./support";

afterAll(removeSandboxes);

const PG_RESTORE =
    "pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error --dbname=stalwart ";

describe("restore.sh, volume target", () => {
    it("lists the complete sets, newest first", () => {
        const box = sandbox();
        fakeSet(box.backupDir, "20260101T030000Z");
        fakeSet(box.backupDir, "20260102T030000Z");
        fakeSet(box.backupDir, "20260103T030000Z", { manifest: false });
        const r = box.run("restore", ["list"]);
        expect(r.status).toBe(0);
        expect(r.stdout).toBe("stalwart-20260102T030000Z\nstalwart-20260101T030000Z\n");
    });

    it("refuses without --confirm naming the database, before touching anything", () => {
        const box = sandbox();
        fakeSet(box.backupDir, "20260101T030000Z");
        for (const args of [["latest"], ["latest", "--confirm", "postgres"], ["latest", "--confirm"]]) {
            const r = box.run("restore", args);
            expect(r.status, args.join(" ")).toBe(2);
        }
        expect(box.run("restore", ["latest", "--confirm", "other"]).stdout).toContain(
            "confirm with --confirm stalwart",
        );
        expect(box.log()).toEqual([]);
    });

    it("refuses while Stalwart still holds sessions as the role, naming their addresses and the container to stop", () => {
        const box = sandbox();
        fakeSet(box.backupDir, "20260101T030000Z");
        const r = box.run("restore", ["latest", "--confirm", "stalwart"], {
            STUB_SESSIONS: "100.64.1.5 (10)\n100.64.1.9 (2)",
        });
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("stalwart still has sessions on stalwart from: 100.64.1.5 (10) 100.64.1.9 (2)");
        expect(r.stdout).toContain("stop Stalwart first (docker stop stalwart)");
        expect(box.log().filter((l) => !l.startsWith("psql ") || !l.includes("pg_stat_activity"))).toEqual([]);
        expect(existsSync(join(box.stateDir, "lock"))).toBe(false);
    });

    it("with Stalwart stopped: empties the database, imports the export, then restores the dump in one transaction", () => {
        const box = sandbox();
        fakeSet(box.backupDir, "20260101T030000Z");
        const newest = fakeSet(box.backupDir, "20260102T030000Z");
        const r = box.run("restore", ["latest", "--confirm", "stalwart"]);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        const set = join(box.backupDir, newest);
        const steps = box
            .log()
            .map(
                (l) =>
                    l.split(" ")[0] +
                    (l.includes("DROP TABLE") ? " (empty)" : l.includes("pg_stat_activity") ? " (sessions)" : ""),
            );
        expect(steps).toEqual(["psql (sessions)", "psql (empty)", "stalwart", "pg_restore"]);
        expect(box.log()[2]).toBe(`stalwart --config ${box.input.stalwartConfig} --import ${set}/export`);
        expect(box.log()[3]).toBe(`${PG_RESTORE}${set}/postgres.dump`);
        expect(r.stdout).toContain(`${newest}: restored; start Stalwart again: docker start stalwart`);
    });

    it("--database-only restores the dump alone (the bucket of blobs intact)", () => {
        const box = sandbox();
        const name = fakeSet(box.backupDir, "20260101T030000Z");
        const r = box.run("restore", [name, "--confirm", "stalwart", "--database-only"]);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        expect(box.log().map((l) => l.split(" ")[0])).toEqual(["psql", "pg_restore"]);
    });

    it("refuses a set whose dump does not match its MANIFEST, and an unknown set", () => {
        const box = sandbox();
        const name = fakeSet(box.backupDir, "20260101T030000Z");
        writeFileSync(join(box.backupDir, name, "postgres.dump"), "tampered\n");
        const r = box.run("restore", [name, "--confirm", "stalwart"]);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("postgres.dump does not match its MANIFEST");
        const unknown = box.run("restore", ["stalwart-20990101T000000Z", "--confirm", "stalwart"]);
        expect(unknown.status).toBe(1);
        expect(unknown.stderr).toContain(
            "no complete backup named stalwart-20990101T000000Z in volume:stalwart-backups",
        );
        expect(box.log()).toEqual([]);
    });

    it("stops before pg_restore when the import fails", () => {
        const box = sandbox();
        fakeSet(box.backupDir, "20260101T030000Z");
        const r = box.run("restore", ["latest", "--confirm", "stalwart"], { STUB_FAIL: "stalwart" });
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("stalwart --import failed (exit 3)");
        expect(box.log().some((l) => l.startsWith("pg_restore"))).toBe(false);
    });

    it("waits for a backup that is running", () => {
        const box = sandbox();
        fakeSet(box.backupDir, "20260101T030000Z");
        mkdirSync(join(box.stateDir, "lock"), { recursive: true });
        writeFileSync(join(box.stateDir, "lock", "pid"), `${process.pid}\n`);
        const r = box.run("restore", ["latest", "--confirm", "stalwart"]);
        expect(r.status).toBe(1);
        expect(r.stdout).toContain("another backup or restore");
        expect(box.log()).toEqual([]);
    });
});

describe("restore.sh, bucket target", () => {
    it("fetches the set from the bucket, restores it, and removes the local copy", () => {
        const box = sandbox({ kind: "bucket" });
        const bucket = join(box.bucketRoot, "stalwart-backups");
        mkdirSync(bucket);
        const name = fakeSet(bucket, "20260101T030000Z");
        const r = box.run("restore", ["latest", "--confirm", "stalwart"]);
        expect(r.status, r.stdout + r.stderr).toBe(0);
        const local = join(box.stateDir, "restore", name);
        expect(box.log()).toContain(`rclone copy backup:stalwart-backups/${name} ${local}`);
        expect(box.log()).toContain(`${PG_RESTORE}${local}/postgres.dump`);
        expect(readdirSync(box.stateDir)).not.toContain("restore");
    });
});
