/**
 * The backup and restore scripts against a real PostgreSQL (the one .ci/run starts,
 * TAILWART_TEST_PG_URL), with the real pg_dump, psql and pg_restore and only `stalwart` stubbed:
 * a small database owned by its own role is dumped, its success recorded as the database's comment
 * (read back as the doctor reads it), changed, refused a restore while a session of the role is
 * open, and restored to exactly what was dumped. Outside CI, without the server, it says why it skips.
 */
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { doctorChecks, runDoctor } from "../../components/doctor";
import { parseBackupStatus, STATUS_QUERY } from "../../components/plan/backupStatus";
import { fakeNetwork, target } from "../doctor/support";
import { removeSandboxes, sandbox } from "./support";

/** The server and client tools, or why the suite skips; under CI=true a missing one fails instead. */
function realPostgres(): { url?: URL; bin?: string; skip?: string } {
    const url = process.env.TAILWART_TEST_PG_URL;
    const onPath =
        spawnSync("sh", ["-c", "command -v pg_dump && command -v pg_restore && command -v psql"], { encoding: "utf8" })
            .status === 0;
    const versioned = existsSync("/usr/lib/postgresql")
        ? readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a))[0]
        : undefined;
    const bin = onPath ? undefined : versioned && `/usr/lib/postgresql/${versioned}/bin`;
    const why = !url
        ? "TAILWART_TEST_PG_URL unset: start PostgreSQL with `bash .ci/services.sh start` (as root) and export what it prints"
        : !onPath && !bin
          ? "pg_dump, pg_restore and psql are not installed (Debian: postgresql-client)"
          : undefined;
    if (why && process.env.CI === "true")
        throw new Error(`${why} (CI=true: these tests must run; .ci/run starts PostgreSQL)`);
    return why ? { skip: why } : { url: new URL(url!), bin };
}

const pg = realPostgres();
if (pg.skip) console.log(`backup against PostgreSQL: skipped, ${pg.skip}`);

const suffix = randomBytes(4).toString("hex");
const ROLE = `backup_stalwart_${suffix}`;
const DB = `backup_stalwart_${suffix}`;
const PASSWORD = randomBytes(12).toString("hex");

describe.skipIf(pg.skip !== undefined)("backup and restore against real PostgreSQL", () => {
    const url = pg.url ?? new URL("postgres://unset");
    const connect = async (user: string, password: string, database: string) => {
        const c = new Client({ host: url.hostname, port: Number(url.port), user, password, database });
        await c.connect();
        return c;
    };
    let admin: Client;
    let owner: Client;
    const rows = async () =>
        (await owner.query<{ k: string; v: string }>("select k, encode(v, 'hex') as v from mailbox order by k")).rows;

    beforeAll(async () => {
        admin = await connect(
            decodeURIComponent(url.username),
            decodeURIComponent(url.password),
            url.pathname.slice(1) || "postgres",
        );
        await admin.query(`create role ${ROLE} login password '${PASSWORD}'`);
        await admin.query(`create database ${DB} owner ${ROLE}`);
        owner = await connect(ROLE, PASSWORD, DB);
        await owner.query("create table mailbox (k text primary key, v bytea not null); create sequence message_ids");
        await owner.query("insert into mailbox values ('inbox', '\\x0102'), ('sent', '\\x03')");
        await owner.end();
    });

    afterAll(async () => {
        await owner?.end().catch(() => undefined);
        await admin?.query(`drop database if exists ${DB} with (force)`);
        await admin?.query(`drop role if exists ${ROLE}`);
        await admin?.end();
        removeSandboxes();
    });

    it("dumps, records the success as the database's comment, and restores what was dumped once Stalwart is stopped", async () => {
        const box = sandbox({
            real: ["pg_dump", "psql", "pg_restore"],
            postgres: { host: url.hostname, port: Number(url.port), database: DB, role: ROLE, sslmode: "disable" },
        });
        const env = {
            STALWART_DB_PASSWORD: PASSWORD,
            ...(pg.bin ? { PATH: `${box.dir}/bin:${pg.bin}:${process.env.PATH}` } : {}),
        };
        const backup = box.run("backup", ["run"], env);
        expect(backup.status, backup.stdout + backup.stderr).toBe(0);

        // the doctor's read: as the admin, from another database
        const {
            rows: [comment],
        } = await admin.query<{ comment: string }>(STATUS_QUERY, [DB]);
        const status = parseBackupStatus(comment!.comment)!;
        expect(status.set).toMatch(/^stalwart-\d{8}T\d{6}Z$/);
        expect(status.target).toBe("volume:stalwart-backups");
        // and the doctor's check, as `npm run doctor` runs it, says the backup is fresh
        const stack = target(
            undefined,
            (raw) => {
                raw.postgres = {
                    host: "pg.tail7b1641.ts.net",
                    port: Number(url.port),
                    database: DB,
                    role: ROLE,
                    adminUser: decodeURIComponent(url.username),
                };
                raw.backup = { schedule: "0 3 * * *", retention: 3, target: { volume: "stalwart-backups" } };
            },
            { PGPASSWORD: decodeURIComponent(url.password) },
        );
        const checks = doctorChecks(stack).filter((c) => c.id === "backup");
        const [doctor] = await runDoctor(stack, {
            net: fakeNetwork({ hosts: { "pg.tail7b1641.ts.net": [url.hostname] } }),
            checks,
        });
        expect(doctor).toMatchObject({
            id: "backup",
            status: "ok",
            detail: expect.stringContaining(`last backup ${status.set} succeeded at`),
        });
        const dump = `${box.backupDir}/${status.set}/postgres.dump`;
        expect(
            spawnSync(pg.bin ? `${pg.bin}/pg_restore` : "pg_restore", ["--list", dump], { encoding: "utf8" }).stdout,
        ).toContain("TABLE public mailbox");

        owner = await connect(ROLE, PASSWORD, DB);
        await owner.query(
            "delete from mailbox where k = 'inbox'; insert into mailbox values ('spam', '\\xff'); create table stray (x int)",
        );
        // the open session stands for a running Stalwart
        const refused = box.run("restore", ["latest", "--confirm", DB], env);
        expect(refused.status).toBe(1);
        expect(refused.stdout).toMatch(/still has sessions on \S+ from: (127\.0\.0\.1|::1|local socket) \(1\)/);
        expect(await rows()).toEqual([
            { k: "sent", v: "03" },
            { k: "spam", v: "ff" },
        ]);
        await owner.end();

        const restored = box.run("restore", ["latest", "--confirm", DB], env);
        expect(restored.status, restored.stdout + restored.stderr).toBe(0);
        owner = await connect(ROLE, PASSWORD, DB);
        expect(await rows()).toEqual([
            { k: "inbox", v: "0102" },
            { k: "sent", v: "03" },
        ]);
        const tables = (
            await owner.query<{ tablename: string }>(
                "select tablename from pg_tables where schemaname = 'public' order by 1",
            )
        ).rows.map((r) => r.tablename);
        expect(tables).toEqual(["mailbox"]);
        expect((await owner.query("select 1 from pg_sequences where sequencename = 'message_ids'")).rowCount).toBe(1);
        expect(box.log().map((l) => l.split(" ").slice(0, 4).join(" "))).toEqual([
            `stalwart --config ${box.input.stalwartConfig} --export`,
            "stalwart --version",
            `stalwart --config ${box.input.stalwartConfig} --import`,
        ]);
    });
});
