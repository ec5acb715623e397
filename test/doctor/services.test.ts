/**
 * The checks that talk to real servers: backend reachability against the PostgreSQL and Redis that
 * .ci/run starts (Garage and the management API stand in as local TCP servers), and
 * postgres.one-instance reading pg_stat_activity while the Stalwart role holds connections from
 * one address, from two (127.0.0.1 and ::1), or from none. Outside CI, without the servers, the
 * suite says why it skips.
 */
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DoctorTarget } from "../../components/doctor";
import { fakeNetwork, realServices, run, target, tcpServer } from "./support";

const services = realServices();
if (services.skip) console.log(`doctor services: skipped, ${services.skip}`);

const TAILNET = "tail7b1641.ts.net";
const PG_HOST = `pg.${TAILNET}`;
const REDIS_HOST = `redis.${TAILNET}`;
const suffix = randomBytes(4).toString("hex");
const ROLE = `doctor_stalwart_${suffix}`;
const IDLE_ROLE = `doctor_idle_${suffix}`;
const WEAK_ADMIN = `doctor_weak_${suffix}`;
const PASSWORD = randomBytes(12).toString("hex");

describe.skipIf(services.skip !== undefined)("against real PostgreSQL and Redis", () => {
    // the body is collected even when skipped: read the URLs lazily
    const pg = services.pg ?? new URL("postgres://unset");
    const redis = services.redis ?? new URL("redis://unset");
    let admin: Client;
    const held: Client[] = [];
    let standIns: Awaited<ReturnType<typeof tcpServer>>;

    const stack = (
        role = ROLE,
        env: Record<string, string> = { PGPASSWORD: decodeURIComponent(pg.password) },
        patch: (raw: Record<string, any>) => void = () => undefined,
    ): DoctorTarget =>
        target(
            undefined,
            (raw) => {
                raw.postgres = {
                    host: PG_HOST,
                    port: Number(pg.port),
                    role,
                    database: "doctor_db",
                    adminUser: decodeURIComponent(pg.username),
                };
                raw.redis = { url: `redis://${REDIS_HOST}:${redis.port}/3` };
                raw.garage.s3Endpoint = `http://garage.${TAILNET}:3900`;
                raw.garage.adminEndpoint = `http://garage.${TAILNET}:3903`;
                patch(raw);
            },
            env,
        );
    const net = () =>
        fakeNetwork({
            hosts: {
                [PG_HOST]: ["127.0.0.1"],
                [REDIS_HOST]: ["127.0.0.1"],
                [`garage.${TAILNET}`]: ["127.0.0.1"],
                [`ts-stalwart.${TAILNET}`]: ["127.0.0.1"],
            },
            ports: {
                [`garage.${TAILNET}:3900`]: standIns.port,
                [`garage.${TAILNET}:3903`]: standIns.port,
                [`ts-stalwart.${TAILNET}:8080`]: standIns.port,
            },
        });
    /** A session as the Stalwart role from one loopback address. */
    const connectAs = async (host: "127.0.0.1" | "::1", role = ROLE) => {
        const c = new Client({ host, port: Number(pg.port), user: role, password: PASSWORD, database: "postgres" });
        await c.connect();
        held.push(c);
        return c;
    };

    beforeAll(async () => {
        standIns = await tcpServer((s) => s.end());
        admin = new Client({ connectionString: pg.toString() });
        await admin.connect();
        for (const role of [ROLE, IDLE_ROLE, WEAK_ADMIN])
            await admin.query(`create role ${role} login password '${PASSWORD}'`);
    });
    afterAll(async () => {
        await Promise.all(held.map((c) => c.end().catch(() => undefined)));
        for (const role of [ROLE, IDLE_ROLE, WEAK_ADMIN]) {
            await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where usename = $1", [role]);
            await admin.query(`drop role if exists ${role}`);
        }
        await admin.end();
        await standIns.close();
    });

    describe("backend reachability", () => {
        const BACKENDS = [
            "backend.postgres",
            "backend.redis",
            "backend.garage-s3",
            "backend.garage-admin",
            "backend.stalwart-api",
        ];

        it("passes when every name resolves and every port answers", async () => {
            const r = await run(stack(), net(), BACKENDS);
            for (const id of BACKENDS) expect(r[id], id).toMatchObject({ status: "ok" });
            expect(r["backend.postgres"]!.detail).toMatch(
                new RegExp(`^Postgres ${PG_HOST} \\(127\\.0\\.0\\.1\\) port ${pg.port} answers`),
            );
            expect(r["backend.redis"]!.detail).toMatch(
                new RegExp(`^Redis ${REDIS_HOST} \\(127\\.0\\.0\\.1\\) port ${redis.port} answers`),
            );
        });

        it("fails on a name that does not resolve, and on a port nothing listens on", async () => {
            const n = net();
            delete n.hosts[PG_HOST];
            const closed = await tcpServer(() => undefined);
            await closed.close();
            const r = await run(
                stack(undefined, undefined, (raw) => (raw.redis.url = `redis://${REDIS_HOST}:${closed.port}/3`)),
                n,
                ["backend.postgres", "backend.redis"],
            );
            expect(r["backend.postgres"]).toMatchObject({
                status: "fail",
                detail: `${PG_HOST} does not resolve (ENOTFOUND)`,
            });
            expect(r["backend.postgres"]!.fix).toMatch(/tailscale status.*tailwart:postgres\.host/);
            expect(r["backend.redis"]).toMatchObject({
                status: "fail",
                detail: `${REDIS_HOST}:${closed.port}: connection refused: nothing listens there`,
            });
        });

        it.each([
            ["backend.postgres", PG_HOST],
            ["backend.redis", REDIS_HOST],
            ["backend.garage-s3", `garage.${TAILNET}`],
            ["backend.garage-admin", `garage.${TAILNET}`],
            ["backend.stalwart-api", `ts-stalwart.${TAILNET}`],
        ])("%s fails when %s stops resolving", async (id, host) => {
            const n = net();
            delete n.hosts[host];
            const r = (await run(stack(), n, [id]))[id]!;
            expect(r).toMatchObject({ status: "fail", detail: `${host} does not resolve (ENOTFOUND)` });
            expect(r.fix).toMatch(/machine on the tailnet/);
        });

        it("reads an encrypted redis.url's address from TAILWART_REDIS_URL, and says so when it is unset", async () => {
            const encrypted = (raw: Record<string, any>) => (raw.redis.url = { secure: "AAABAGx0cmFuc2l0" });
            const unset = (await run(stack(ROLE, {}, encrypted), net(), ["backend.redis"]))["backend.redis"]!;
            expect(unset).toMatchObject({
                status: "fail",
                detail: "Redis address unknown: tailwart:redis.url is encrypted in Pulumi.dev.yaml and TAILWART_REDIS_URL is unset",
            });
            const env = { TAILWART_REDIS_URL: `redis://:s3cret-pass@${REDIS_HOST}:${redis.port}/3` };
            const set = (await run(stack(ROLE, env, encrypted), net(), ["backend.redis"]))["backend.redis"]!;
            expect(set.status).toBe("ok");
            expect(JSON.stringify(set)).not.toContain("s3cret-pass");
        });
    });

    describe("postgres.one-instance", () => {
        const check = async (role: string, env?: Record<string, string>) =>
            (await run(stack(role, env), net(), ["postgres.one-instance"]))["postgres.one-instance"]!;

        it("warns when the Stalwart role holds no connection", async () => {
            expect(await check(IDLE_ROLE)).toMatchObject({
                status: "warn",
                detail: `no connection as ${IDLE_ROLE}: Stalwart is not connected to ${PG_HOST}`,
            });
        });

        it("passes while every connection comes from one address, and fails naming both once a second instance connects", async () => {
            await connectAs("127.0.0.1");
            await connectAs("127.0.0.1");
            expect(await check(ROLE)).toMatchObject({
                status: "ok",
                detail: `2 connections as ${ROLE}, all from 127.0.0.1`,
            });
            await connectAs("::1");
            const r = await check(ROLE);
            expect(r).toMatchObject({
                status: "fail",
                detail: `connections as ${ROLE} come from 2 addresses: 127.0.0.1 (2), ::1 (1): more than one Stalwart uses this data store`,
            });
            expect(r.fix).toMatch(/tailscale status/);
        });

        it("fails naming the missing grant when the admin cannot see other roles' sessions", async () => {
            await connectAs("127.0.0.1");
            const r = (
                await run(
                    stack(ROLE, { PGPASSWORD: PASSWORD }, (raw) => (raw.postgres.adminUser = WEAK_ADMIN)),
                    net(),
                    ["postgres.one-instance"],
                )
            )["postgres.one-instance"]!;
            expect(r).toMatchObject({
                status: "fail",
                detail: `${WEAK_ADMIN} cannot see the sessions of ${ROLE} in pg_stat_activity`,
            });
            expect(r.fix).toContain(`GRANT pg_read_all_stats TO ${WEAK_ADMIN}`);
        });

        it("fails when the admin cannot log in, naming where the password came from (never the password)", async () => {
            const wrong = await check(ROLE, { PGPASSWORD: "not-the-password" });
            expect(wrong.status).toBe("fail");
            expect(wrong.detail).toMatch(/cannot log in to Postgres .* password authentication failed/);
            expect(wrong.fix).toContain("(password from env PGPASSWORD)");
            expect(JSON.stringify(wrong)).not.toContain("not-the-password");
            const none = await check(ROLE, {});
            expect(none.fix).toMatch(
                /tailwart:postgres\.adminPassword is not set and PGPASSWORD is unset: export PGPASSWORD/,
            );
        });
    });
});
