import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { PROJECT_ROOT, validRaw } from "../support/stackConfig";

const tsx = join(PROJECT_ROOT, "node_modules", ".bin", "tsx");
const run = (...args: string[]) => spawnSync(tsx, [join(PROJECT_ROOT, "scripts", "plan.ts"), ...args], { cwd: PROJECT_ROOT, encoding: "utf8", timeout: 60_000 });

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
        const raw = { ...validRaw(), tailnet: "tailnet", redis: { url: "redis://slo-time-prod.tail7b1641.ts.net:6379" } };
        writeFileSync(join(dir, "Pulumi.broken.yaml"), stringify({ config: Object.fromEntries(Object.entries(raw).map(([k, v]) => [`tailwart:${k}`, v])) }));
        const r = run("--stack", "broken", "--dir", dir);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/2 problems/);
        expect(r.stderr).toMatch(/tailnet/);
        expect(r.stderr).toMatch(/redis\.url/);
        expect(r.stdout).toBe("");
    });

    it("exits 2 with usage for a missing stack file", () => {
        const r = run("--stack", "nosuchstack");
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/no stack file/);
    });
});
