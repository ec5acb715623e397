// The generator reads a live server's GET /api/schema (302 → /api/schema/<hash>, gzip) the same as
// the file: served byte for byte by the simulator, the committed files come out unchanged.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart";
import { PROJECT_ROOT, readSource, reportMissingSources, SCHEMA_FILE, SCHEMA_VERSION, sourcesPresent } from "./stalwartSchemaSources";

reportMissingSources("schemaLive");

let sim: StalwartSimulator | undefined;

beforeAll(async () => {
    if (sourcesPresent) sim = await startStalwartSimulator({ schemaDocument: readSource(SCHEMA_FILE) });
});
afterAll(async () => sim?.close());

/** Runs the generator as a child process; asynchronously, because the simulator answers from this process. */
const generate = (args: string[], env: Record<string, string | undefined>) =>
    new Promise<{ status: number; stderr: string }>((resolve) => {
        // the command `npm run generate:schema` runs (package.json)
        execFile(
            process.execPath,
            [join(PROJECT_ROOT, "scripts", "launch.cjs"), "generate-schema", ...args],
            { cwd: PROJECT_ROOT, timeout: 120_000, env: { ...process.env, STALWART_TOKEN: undefined, STALWART_USER: undefined, STALWART_PASSWORD: undefined, ...env } },
            (err, _stdout, stderr) => resolve({ status: err ? Number(err.code ?? 1) : 0, stderr }),
        );
    });

describe.skipIf(!sourcesPresent)("generate-schema --url", () => {
    it("fetches the schema from a server and finds the committed files current", async () => {
        const [user, password] = sim!.adminCredentials.split(":");
        const r = await generate(["--url", sim!.url, "--version", SCHEMA_VERSION, "--check"], { STALWART_USER: user, STALWART_PASSWORD: password });
        expect(r.stderr).not.toMatch(/Stale/);
        expect(r.status).toBe(0);
    });

    it("authenticates with an API key too", async () => {
        const r = await generate(["--url", sim!.url, "--version", SCHEMA_VERSION, "--check"], { STALWART_TOKEN: sim!.apiKey });
        expect(r.status).toBe(0);
    });

    it("names the credentials problem instead of writing anything", async () => {
        const wrong = await generate(["--url", sim!.url, "--version", SCHEMA_VERSION, "--check"], { STALWART_USER: "admin", STALWART_PASSWORD: "wrong" });
        expect(wrong.status).toBe(1);
        expect(wrong.stderr).toMatch(/401/);
        expect(wrong.stderr).not.toMatch(/wrong/);
        const none = await generate(["--url", sim!.url, "--version", SCHEMA_VERSION], {});
        expect(none.status).toBe(1);
        expect(none.stderr).toMatch(/STALWART_TOKEN/);
    });
});
