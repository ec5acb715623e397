/**
 * `npm run doctor` as a process (scripts/doctor.ts through scripts/launch.cjs), the way it is used from outside:
 * --json prints exactly {"checks":[{id,status,detail,fix?}]} and the exit code is 1 when a check
 * failed; an invalid stack is one failed "config" check; a usage error exits 2. Names under the
 * reserved .invalid TLD never resolve, so only the simulator answers.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { cliCommand } from "../support/cli";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart";
import { PROJECT_ROOT, validRaw } from "../support/stackConfig";

let sim: StalwartSimulator;
let dir: string;

function stackFile(name: string, patch: (raw: Record<string, any>) => void = () => undefined): void {
    const raw = validRaw();
    Object.assign(raw, { domain: "doctor.invalid", hostname: "mail.doctor.invalid" });
    raw.acme = { directory: "staging", challenge: "tls-alpn-01", contact: ["postmaster@doctor.invalid"] };
    raw.postgres.host = "pg.doctor.invalid";
    raw.redis.url = "redis://redis.doctor.invalid:6379/3";
    raw.garage = {
        s3Endpoint: "http://garage.doctor.invalid:3900",
        adminEndpoint: "http://garage.doctor.invalid:3903",
    };
    raw.edge.dockerHost = "ssh://deploy@edge.doctor.invalid";
    raw.mailbox.dockerHost = "ssh://deploy@mailbox.doctor.invalid";
    patch(raw);
    const [user, password] = sim.adminCredentials.split(":");
    const config = {
        ...Object.fromEntries(Object.entries(raw).map(([k, v]) => [`tailwart:${k}`, v])),
        "stalwart:url": sim.url,
        "stalwart:user": user,
        "stalwart:password": password,
    };
    writeFileSync(join(dir, `Pulumi.${name}.yaml`), stringify({ config }));
}

/** Runs the CLI asynchronously (the simulator answers from this process). */
const doctor = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
            ...cliCommand("doctor", ...args),
            { cwd: PROJECT_ROOT, timeout: 60_000, env: { ...process.env, INIT_CWD: undefined } },
            (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
        );
    });

beforeAll(async () => {
    sim = await startStalwartSimulator();
    dir = mkdtempSync(join(tmpdir(), "doctor-cli-"));
});
afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
});

describe("npm run doctor", () => {
    it("--json prints exactly the contract and exits 1 when a check failed", async () => {
        stackFile("cli");
        const r = await doctor(["--stack", "cli", "--dir", dir, "--json", "--timeout", "5"]);
        expect(r.code).toBe(1);
        const out = JSON.parse(r.stdout) as { checks: Record<string, unknown>[] };
        expect(Object.keys(out)).toEqual(["checks"]);
        for (const c of out.checks) {
            expect(["id", "status", "detail", "fix"]).toEqual(expect.arrayContaining(Object.keys(c)));
            expect(["ok", "fail", "warn"]).toContain(c.status);
            if (c.status === "fail") expect(typeof c.fix).toBe("string");
        }
        const byId = Object.fromEntries(out.checks.map((c) => [c.id, c]));
        expect(Object.keys(byId)).toEqual([
            "config",
            "backend.postgres",
            "backend.redis",
            "backend.garage-s3",
            "backend.garage-admin",
            "backend.stalwart-api",
            "stalwart.health",
            "stalwart.version",
            "stalwart.listeners",
            "stalwart.proxy-trust-global",
            "stalwart.directory",
            "tls.certificate",
            "tls.acme-orders",
            "dns.mx",
            "dns.spf",
            "dns.dkim",
            "dns.dmarc",
            "postgres.one-instance",
            "stalwart.recovery-admin",
            "edge.smtp-banner",
        ]);
        expect(byId["stalwart.health"]).toMatchObject({ status: "ok" });
        expect(byId["backend.postgres"]).toMatchObject({ status: "fail" });
        expect(byId["dns.mx"]).toMatchObject({ status: "fail", detail: "Stalwart has no x:Domain doctor.invalid" });
        expect(r.stdout).not.toContain(sim.adminCredentials.split(":")[1]);
    });

    it("prints one marked line per check without --json", async () => {
        stackFile("text");
        const r = await doctor(["--stack", "text", "--dir", dir, "--timeout", "5"]);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(
            /^doctor: stack text\n✓ config: Pulumi\.text\.yaml is valid; management API http:\/\/127\.0\.0\.1:\d+, credentials from config stalwart:user\/stalwart:password\n/,
        );
        expect(r.stdout).toMatch(/\n✓ stalwart\.health: /);
        expect(r.stdout).toMatch(/\n✗ backend\.postgres: pg\.doctor\.invalid does not resolve .*\n {4}fix: /);
        expect(r.stdout).toMatch(/\n\d+ ok, \d+ warnings?, \d+ failed\n$/);
    });

    it("reports an invalid stack as one failed config check", async () => {
        stackFile("bad", (raw) => (raw.postgres.host = "postgres"));
        const r = await doctor(["--stack", "bad", "--dir", dir, "--json"]);
        expect(r.code).toBe(1);
        const { checks } = JSON.parse(r.stdout);
        expect(checks).toHaveLength(1);
        expect(checks[0]).toMatchObject({
            id: "config",
            status: "fail",
            detail: expect.stringContaining("postgres.host"),
        });
    });

    it("exits 2 on a usage error", async () => {
        expect((await doctor([])).code).toBe(2);
        expect((await doctor(["--stack", "absent", "--dir", dir])).stderr).toMatch(/no stack file/);
    });
});
