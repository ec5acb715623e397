// The one-instance gate's provider, serialized and run by the SDK's own dynamic-provider host over
// gRPC, against the real PostgreSQL that .ci/services.sh starts (TAILWART_TEST_PG_URL; it listens on
// 127.0.0.1 and ::1, so two loopback addresses stand in for two Stalwart instances). Outside CI,
// without it, the suite says why it skips; under CI=true its absence is a failure.
import { randomBytes } from "node:crypto";
import { Client } from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { shippedOneInstanceGateProvider } from "../../components/deploy/oneInstanceGate";
import { type PlainObject, ProviderHost, ProviderHostError, serializeProvider, UNKNOWN } from "../support/providerHost";

const TYPE = "pulumi-nodejs:dynamic/postgres:OneInstanceGate";
const PG_URL = process.env.TAILWART_TEST_PG_URL;
const SKIP = PG_URL
    ? undefined
    : "TAILWART_TEST_PG_URL is unset: `. .ci/services.sh && services_start` starts PostgreSQL and exports it";
if (SKIP && process.env.CI === "true") throw new Error(`${SKIP} (CI=true: these tests must run)`);
if (SKIP) console.log(`one-instance gate: skipped, ${SKIP}`);

const suffix = randomBytes(4).toString("hex");
const ROLE = `gate_stalwart_${suffix}`;
const OTHER_ROLE = `gate_other_${suffix}`;
const WEAK_ADMIN = `gate_weak_${suffix}`;
const ROLE_PASSWORD = randomBytes(12).toString("hex");
const DOCKER_HOST = "ssh://deploy@mailbox.tail7b1641.ts.net";
const KEY = { image: "sha256:stalwart-1", netns: "sidecar-id-1", spec: "spec-digest-1", secrets: "secrets-digest-1" };

describe.skipIf(SKIP !== undefined)("one-instance gate against real PostgreSQL", () => {
    const pg = new URL(PG_URL ?? "postgres://unset");
    const adminPassword = decodeURIComponent(pg.password);
    let admin: Client;
    let host: ProviderHost;
    let providerText: string;
    const held: Client[] = [];
    const hosts: ProviderHost[] = [];

    const inputs = (over: PlainObject = {}): PlainObject => ({
        host: "127.0.0.1",
        port: Number(pg.port),
        sslmode: "disable",
        role: ROLE,
        adminUser: decodeURIComponent(pg.username),
        adminPassword,
        drainTimeoutSeconds: 5,
        key: KEY,
        containerName: "stalwart",
        dockerHost: DOCKER_HOST,
        __provider: providerText,
        ...over,
    });
    /** A session as `role` from one loopback address, the way a Stalwart instance would hold one. */
    const connectAs = async (addr: "127.0.0.1" | "::1", role = ROLE) => {
        const c = new Client({
            host: addr,
            port: Number(pg.port),
            user: role,
            password: ROLE_PASSWORD,
            database: "postgres",
        });
        await c.connect();
        held.push(c);
        return c;
    };
    const create = async (over: PlainObject = {}, on = host) => {
        const { inputs: checked, failures } = await on.check({}, inputs(over), { type: TYPE });
        expect(failures).toEqual([]);
        const started = Date.now();
        const result = await on.create(checked, { type: TYPE }).then(
            (r) => ({ ok: r, error: undefined }),
            (e: unknown) => ({ ok: undefined, error: e as ProviderHostError }),
        );
        return { ...result, ms: Date.now() - started };
    };

    beforeAll(async () => {
        providerText = await serializeProvider(shippedOneInstanceGateProvider());
        host = await ProviderHost.start({ env: { PGPASSWORD: undefined } });
        admin = new Client({ connectionString: pg.toString() });
        await admin.connect();
        for (const role of [ROLE, OTHER_ROLE, WEAK_ADMIN])
            await admin.query(`create role ${role} login password '${ROLE_PASSWORD}'`);
    });
    afterEach(async () => {
        await Promise.all(held.splice(0).map((c) => c.end().catch(() => undefined)));
    });
    afterAll(async () => {
        await Promise.all([host?.stop(), ...hosts.map((h) => h.stop())]);
        if (!admin) return;
        for (const role of [ROLE, OTHER_ROLE, WEAK_ADMIN]) {
            await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where usename = $1", [role]);
            await admin.query(`drop role if exists ${role}`);
        }
        await admin.end();
    });

    it("passes at once when no other client holds a session as the role (the admin's own and other roles' do not count)", async () => {
        await connectAs("127.0.0.1", OTHER_ROLE);
        const { ok, error, ms } = await create();
        expect(error).toBeUndefined();
        expect(ok!.id).toBe(`${ROLE}@127.0.0.1:${pg.port}`);
        expect(ok!.properties).toMatchObject({ role: ROLE, key: KEY, waitedSeconds: 0, drained: [] });
        // the password is an input the engine keeps secret; the gate never makes it an output
        expect(ok!.properties).not.toHaveProperty("adminPassword");
        expect(JSON.stringify(ok!.properties)).not.toContain(adminPassword);
        console.log(`one-instance gate: open with no other session in ${ms} ms`);
    });

    it("waits, then fails naming every address that still holds a session and how to find and stop it", async () => {
        await connectAs("127.0.0.1");
        await connectAs("::1");
        await connectAs("::1");
        const { error, ms } = await create({ drainTimeoutSeconds: 2 });
        expect(error).toBeInstanceOf(ProviderHostError);
        const text = error!.details;
        expect(text).toContain(
            `3 connections as ${ROLE} on 127.0.0.1:${pg.port} still come from ::1 (2), 127.0.0.1 (1) after 2 s, so stalwart was not started`,
        );
        expect(text).toContain("`tailscale status` names tailnet IPs");
        expect(text).toContain(`docker -H ${DOCKER_HOST} stop stalwart`);
        expect(text).toContain(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '${ROLE}' AND client_addr = '::1';`,
        );
        expect(text).toContain("tailwart:stalwart.drainTimeoutSeconds");
        for (const out of [text, host.stderr, host.stdout.join("\n")]) expect(out).not.toContain(adminPassword);
        // bounded: it waited the 2 s, and not much longer (the last poll falls on the deadline)
        expect(ms).toBeGreaterThanOrEqual(2_000);
        expect(ms).toBeLessThan(4_500);
        console.log(`one-instance gate: blocked by 2 addresses after ${ms} ms (bound 2 s)`);
    });

    it("lets the container start once the old instance's sessions close during the wait", async () => {
        const old = await connectAs("::1");
        let closedAt = Infinity;
        setTimeout(() => void old.end().then(() => (closedAt = Date.now())), 1_500);
        const { ok, error, ms } = await create({ drainTimeoutSeconds: 20 });
        const doneAt = Date.now();
        expect(error).toBeUndefined();
        // it saw the session, waited, and opened only after the session had closed
        expect(ok!.properties.drained).toEqual(["::1"]);
        expect(ok!.properties.waitedSeconds).toBeGreaterThan(0);
        expect(doneAt).toBeGreaterThanOrEqual(closedAt);
        // polls at 0, 0.5, 1.5, 3.5 s: the close is seen by the next poll, far before the 20 s bound
        expect(doneAt - closedAt).toBeLessThan(4_000);
        console.log(
            `one-instance gate: drained after ${ok!.properties.waitedSeconds} s, ${doneAt - closedAt} ms after the close (create took ${ms} ms)`,
        );
    });

    it("never counts its own session, even when the admin it logs in as is the role itself", async () => {
        const { ok, error } = await create({ adminUser: ROLE, adminPassword: ROLE_PASSWORD, drainTimeoutSeconds: 0 });
        expect(error).toBeUndefined();
        expect(ok!.properties.drained).toEqual([]);
    });

    it("with no wait allowed, checks once and fails at once", async () => {
        await connectAs("127.0.0.1");
        const { error, ms } = await create({ drainTimeoutSeconds: 0 });
        expect(error?.details).toContain(
            `1 connection as ${ROLE} on 127.0.0.1:${pg.port} still comes from 127.0.0.1 (1) after 0 s`,
        );
        expect(ms).toBeLessThan(1_500);
    });

    it("counts sessions an admin without pg_read_all_stats cannot place, and says which grant it needs", async () => {
        await connectAs("::1");
        const { error } = await create({ adminUser: WEAK_ADMIN, adminPassword: ROLE_PASSWORD, drainTimeoutSeconds: 0 });
        expect(error?.details).toContain("still comes from hidden (1)");
        expect(error?.details).toContain(`GRANT pg_read_all_stats TO ${WEAK_ADMIN};`);
        expect(error?.details).not.toContain("pg_terminate_backend");
    });

    it("fails when the admin cannot log in, naming where the password came from and never the password", async () => {
        const { error } = await create({ adminPassword: "not-the-admin-password" });
        expect(error?.details).toMatch(
            /cannot log in to Postgres 127\.0\.0\.1:\d+ as \w+: password authentication failed/,
        );
        expect(error?.details).toContain("(tailwart:postgres.adminPassword)");
        expect(error?.details).not.toContain("not-the-admin-password");
        expect(host.stderr).not.toContain("not-the-admin-password");
    });

    it("takes the admin's password from PGPASSWORD when the stack sets none, as the postgresql provider does", async () => {
        const envHost = await ProviderHost.start({ env: { PGPASSWORD: adminPassword } });
        hosts.push(envHost);
        const { adminPassword: _, ...noPassword } = inputs();
        const { inputs: checked } = await envHost.check({}, noPassword, { type: TYPE });
        const made = await envHost.create(checked, { type: TYPE });
        expect(made.properties.waitedSeconds).toBe(0);
    });

    it("check refuses what cannot be a gate, by property", async () => {
        const { failures } = await host.check(
            {},
            inputs({ port: 0, sslmode: "prefer", drainTimeoutSeconds: 4000, role: "", key: "k" }),
            { type: TYPE },
        );
        expect(failures.map((f) => f.property).sort()).toEqual([
            "drainTimeoutSeconds",
            "key",
            "port",
            "role",
            "sslmode",
        ]);
        expect(failures.find((f) => f.property === "sslmode")?.reason).toBe(
            "must be one of disable, require, verify-full",
        );
        // unknown values (preview) are left alone
        expect(
            (await host.check({}, inputs({ port: UNKNOWN, role: UNKNOWN, key: UNKNOWN }), { type: TYPE })).failures,
        ).toEqual([]);
    });

    describe("diff: replaced, old one first, exactly when the container is", () => {
        const olds = () => {
            const { adminPassword: _, __provider: _p, ...recorded } = inputs();
            return { ...recorded, waitedSeconds: 0, drained: [] };
        };
        const diff = (news: PlainObject) =>
            host.diff(`${ROLE}@127.0.0.1:${pg.port}`, olds(), inputs(news), { type: TYPE, oldInputs: inputs() });

        it("reports nothing when the key is the same, whatever the admin password became", async () => {
            expect(await diff({ adminPassword: "rotated" })).toMatchObject({ changes: "none", replaces: [] });
        });

        it.each([
            ["image", { ...KEY, image: "sha256:stalwart-2" }],
            ["netns", { ...KEY, netns: "sidecar-id-2" }],
            ["spec", { ...KEY, spec: "spec-digest-2" }],
            ["secrets", { ...KEY, secrets: "secrets-digest-2" }],
            ["an unknown part (preview, or a dependency being replaced)", { ...KEY, image: UNKNOWN }],
            ["an unknown key", UNKNOWN],
        ])("replaces, delete before create, on a new %s", async (_what, key) => {
            expect(await diff({ key })).toMatchObject({
                changes: "some",
                replaces: ["key"],
                deleteBeforeReplace: true,
            });
        });

        it("updates in place, without waiting, when only where or how long to look changed", async () => {
            expect(await diff({ drainTimeoutSeconds: 300 })).toMatchObject({ changes: "some", replaces: [] });
            await connectAs("::1");
            const started = Date.now();
            const { properties } = await host.update("id", olds(), inputs({ drainTimeoutSeconds: 300 }), {
                type: TYPE,
            });
            expect(Date.now() - started).toBeLessThan(1_000);
            expect(properties).toMatchObject({ drainTimeoutSeconds: 300, key: KEY, waitedSeconds: 0 });
            expect(properties).not.toHaveProperty("adminPassword");
        });
    });

    it("delete and read touch nothing in Postgres", async () => {
        await host.delete("id", { ...inputs(), waitedSeconds: 0, drained: [] }, { type: TYPE });
        const read = await host.read("id", { role: ROLE, key: KEY, __provider: providerText });
        expect(read).toMatchObject({ id: "id", properties: { role: ROLE, key: KEY } });
    });
});
