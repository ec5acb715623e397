import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { cliCommand } from "../support/cli";
import { PROJECT_ROOT, validRaw } from "../support/stackConfig";

const run = (...args: string[]) =>
    spawnSync(...cliCommand("plan", ...args), { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 60_000 });

describe("npm run plan", () => {
    it("prints the dev plan from Pulumi.dev.yaml and exits 0", () => {
        const r = run("--stack", "dev");
        expect(r.stderr).toBe("");
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/tailwart plan for stack dev/);
        expect(r.stdout).toMatch(/acme-staging-v02/);
    });

    it("prints JSON with --json", () => {
        const r = run("--stack", "prod", "--json");
        expect(r.status).toBe(0);
        expect(JSON.parse(r.stdout).stalwart.acmeDirectory).toMatch(/acme-v02\.api/);
    });

    it("prints every config issue and exits 1 on a bad stack", () => {
        const dir = mkdtempSync(join(tmpdir(), "tailwart-plan-"));
        const raw = {
            ...validRaw(),
            tailnet: "tailnet",
            redis: { url: "redis://slo-time-prod.tail7b1641.ts.net:6379" },
        };
        writeFileSync(
            join(dir, "Pulumi.broken.yaml"),
            stringify({ config: Object.fromEntries(Object.entries(raw).map(([k, v]) => [`tailwart:${k}`, v])) }),
        );
        const r = run("--stack", "broken", "--dir", dir);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/2 problems/);
        expect(r.stderr).toMatch(/tailnet/);
        expect(r.stderr).toMatch(/redis\.url/);
        expect(r.stdout).toBe("");
    });

    it("prints warnings, and a Redis password nowhere: not in the plan, its JSON or an error", () => {
        const dir = mkdtempSync(join(tmpdir(), "tailwart-plan-"));
        const write = (stack: string, raw: Record<string, unknown>) =>
            writeFileSync(
                join(dir, `Pulumi.${stack}.yaml`),
                stringify({ config: Object.fromEntries(Object.entries(raw).map(([k, v]) => [`tailwart:${k}`, v])) }),
            );
        const minimal = {
            ...validRaw(),
            edge: { dockerHost: validRaw().edge.dockerHost },
            redis: { url: "redis://:hunter2@slo-time-prod.tail7b1641.ts.net:6379/2" },
        };
        delete (minimal as Record<string, unknown>).acme;
        write("minimal", minimal);
        const text = run("--stack", "minimal", "--dir", dir);
        expect(text.status).toBe(0);
        expect(text.stdout).toMatch(/== warnings[^\n]*\n {2}- acme\.challenge is not set/);
        expect(text.stdout).toContain("redis://:***@slo-time-prod.tail7b1641.ts.net:6379/2");
        const json = run("--stack", "minimal", "--dir", dir, "--json");
        expect(json.status).toBe(0);
        expect(JSON.parse(json.stdout).warnings).toContainEqual({
            path: "acme.challenge",
            message: expect.stringMatching(/^acme\.challenge is not set/),
        });
        write("broken", { ...minimal, redis: { url: "redis://:hunter2@slo-time-prod.tail7b1641.ts.net:6379" } });
        const broken = run("--stack", "broken", "--dir", dir);
        expect(broken.status).toBe(1);
        expect(broken.stderr).toMatch(
            /redis\.url "redis:\/\/:\*\*\*@slo-time-prod\.tail7b1641\.ts\.net:6379" has no logical DB index/,
        );
        for (const out of [text.stdout, text.stderr, json.stdout, broken.stdout, broken.stderr])
            expect(out).not.toContain("hunter2");
    });

    it("reads redis.url encrypted in the stack file ({ secure: … })", () => {
        const dir = mkdtempSync(join(tmpdir(), "tailwart-plan-"));
        const raw = { ...validRaw(), redis: { url: { secure: "v1:ciphertext" } } };
        writeFileSync(
            join(dir, "Pulumi.enc.yaml"),
            stringify({ config: Object.fromEntries(Object.entries(raw).map(([k, v]) => [`tailwart:${k}`, v])) }),
        );
        const r = run("--stack", "enc", "--dir", dir);
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/redis {5}URL encrypted in the stack file/);
        expect(r.stdout).toMatch(/- redis\.url is encrypted in the stack file/);
    });

    it("reads the stack file from the directory npm was run in (INIT_CWD) when it has one, else the project's", () => {
        const dir = mkdtempSync(join(tmpdir(), "tailwart-plan-"));
        const raw = { ...validRaw(), domain: "elsewhere.test", hostname: "mail.elsewhere.test" };
        writeFileSync(
            join(dir, "Pulumi.dev.yaml"),
            stringify({ config: Object.fromEntries(Object.entries(raw).map(([k, v]) => [`tailwart:${k}`, v])) }),
        );
        const inDir = spawnSync(...cliCommand("plan", "--stack", "dev"), {
            cwd: PROJECT_ROOT,
            env: { ...process.env, INIT_CWD: dir },
            encoding: "utf8",
            timeout: 60_000,
        });
        expect(inDir.status).toBe(0);
        expect(inDir.stdout).toContain("mail.elsewhere.test");
        const empty = mkdtempSync(join(tmpdir(), "tailwart-plan-"));
        const fallback = spawnSync(...cliCommand("plan", "--stack", "dev"), {
            cwd: PROJECT_ROOT,
            env: { ...process.env, INIT_CWD: empty },
            encoding: "utf8",
            timeout: 60_000,
        });
        expect(fallback.status).toBe(0);
        expect(fallback.stdout).toContain("mail.dev.infinidim.net");
    });

    it("exits 2 with usage for a missing stack file", () => {
        const r = run("--stack", "nosuchstack");
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/no stack file/);
    });
});
