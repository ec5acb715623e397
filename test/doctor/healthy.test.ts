/**
 * The whole doctor against a deployment in good health: the simulator converged to the plan with a
 * certificate, DNS published as its zone file says, real PostgreSQL (one Stalwart connection) and
 * Redis, stand-ins for Garage, and an edge that greets with 220. Every check passes and the exit
 * code is 0; a second instance connecting to the data store turns it to 1.
 */
import { createHash, randomBytes } from "node:crypto";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CheckResult, doctorChecks, exitCode, runDoctor } from "../../components/doctor";
import { TABLE } from "../../components/stalwart/schema/table";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart";
import { converge, fakeNetwork, HOSTNAME, publishZone, realServices, target, tcpServer } from "./support";

const services = realServices();
if (services.skip) console.log(`doctor healthy deployment: skipped, ${services.skip}`);

const TAILNET = "tail7b1641.ts.net";
const ROLE = `doctor_healthy_${randomBytes(4).toString("hex")}`;
const PASSWORD = randomBytes(12).toString("hex");

describe.skipIf(services.skip !== undefined)("a deployment in good health", () => {
    let sim: StalwartSimulator;
    let admin: Client;
    const sessions: Client[] = [];
    const servers: Awaited<ReturnType<typeof tcpServer>>[] = [];

    const connectAs = async (host: string) => {
        const c = new Client({
            host,
            port: Number(services.pg!.port),
            user: ROLE,
            password: PASSWORD,
            database: "postgres",
        });
        await c.connect();
        sessions.push(c);
    };

    async function doctor(): Promise<CheckResult[]> {
        const pg = services.pg!;
        const t = target(
            sim,
            (raw) => {
                raw.postgres = {
                    host: `pg.${TAILNET}`,
                    port: Number(pg.port),
                    role: ROLE,
                    adminUser: decodeURIComponent(pg.username),
                };
                raw.redis = { url: `redis://redis.${TAILNET}:${services.redis!.port}/3` };
            },
            { PGPASSWORD: decodeURIComponent(pg.password) },
        );
        const [garage, edge] = servers;
        const net = fakeNetwork({
            hosts: {
                [`pg.${TAILNET}`]: ["127.0.0.1"],
                [`redis.${TAILNET}`]: ["127.0.0.1"],
                [`garage.${TAILNET}`]: ["127.0.0.1"],
                [HOSTNAME]: ["203.0.113.25"],
            },
            ports: {
                [`garage.${TAILNET}:3900`]: garage!.port,
                [`garage.${TAILNET}:3903`]: garage!.port,
                [`${HOSTNAME}:25`]: edge!.port,
            },
        });
        await publishZone(sim, net);
        const knownSchemas = { "v0.16.18": createHash("sha256").update(JSON.stringify(TABLE)).digest("hex") };
        return runDoctor(t, {
            net,
            knownSchemas,
            timeoutMs: 5_000,
            now: () => new Date("2026-11-22T12:00:00Z"),
            checks: doctorChecks(t),
        });
    }

    beforeAll(async () => {
        admin = new Client({ connectionString: services.pg!.toString() });
        await admin.connect();
        await admin.query(`create role ${ROLE} login password '${PASSWORD}'`);
        servers.push(
            await tcpServer((s) => s.end()),
            await tcpServer((s) => s.write(`220 ${HOSTNAME} Stalwart ESMTP at your service\r\n`)),
        );
        sim = await startStalwartSimulator();
        await converge(sim, target(sim).plan);
        sim.issueCertificate({ subjectAlternativeNames: [HOSTNAME], notValidAfter: "2027-02-01T00:00:00Z" });
        await connectAs("127.0.0.1");
    });
    afterAll(async () => {
        await Promise.all(sessions.map((c) => c.end().catch(() => undefined)));
        await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where usename = $1", [ROLE]);
        await admin.query(`drop role if exists ${ROLE}`);
        await admin.end();
        await sim.close();
        for (const s of servers) await s.close();
    });

    it("passes every check and exits 0", async () => {
        const results = await doctor();
        expect(results.filter((r) => r.status !== "ok")).toEqual([]);
        expect(results).toHaveLength(19);
        expect(exitCode(results)).toBe(0);
    });

    it("exits 1 once a second Stalwart holds connections to the same data store", async () => {
        await connectAs("::1");
        const results = await doctor();
        expect(results.filter((r) => r.status !== "ok").map((r) => r.id)).toEqual(["postgres.one-instance"]);
        expect(exitCode(results)).toBe(1);
    });
});
