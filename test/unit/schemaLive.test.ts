// The generator's command line, and a live server's GET /api/schema (302 → /api/schema/<hash>, gzip)
// read like a file: the simulator serves the committed source's registry schema, and what comes out
// is the committed output, but for the hash of the text served. The command runs in this process
// (runCli), once through its real entry point.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { runCli } from "../../tools/schema/cli";
import { GENERATED_DIR } from "../../tools/schema/generate";
import { cliCommand } from "../support/cli";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart";
import {
    committedSource,
    committedSourceText,
    PROJECT_ROOT,
    SCHEMA_SHA256,
    SCHEMA_VERSION,
    SOURCE_FILE,
} from "./stalwartSchemaSources";

let sim: StalwartSimulator;
const served = JSON.stringify(committedSource().schema);
const servedSha256 = createHash("sha256").update(served).digest("hex");
const scratch = mkdtempSync(join(tmpdir(), "schema-live-"));

beforeAll(async () => {
    sim = await startStalwartSimulator({ schemaDocument: served });
});
afterAll(async () => {
    await sim?.close();
    rmSync(scratch, { recursive: true, force: true });
});

/** The generator's command in this process (the simulator answers from here too), with what it says on stderr. */
async function cli(
    args: string[],
    env: Record<string, string | undefined> = {},
): Promise<{ status: number; stderr: string }> {
    const said: string[] = [];
    const spy = vi.spyOn(console, "error").mockImplementation((...parts: unknown[]) => void said.push(parts.join(" ")));
    try {
        return { status: await runCli(args, env), stderr: said.join("\n") };
    } finally {
        spy.mockRestore();
    }
}

/** The real entry point, as `npm run generate:schema` starts it. */
const spawnCli = (args: string[]) =>
    new Promise<{ status: number; stderr: string }>((resolve) => {
        execFile(
            ...cliCommand("tools/schema/cli.ts", ...args),
            { cwd: PROJECT_ROOT, timeout: 120_000 },
            (err, _stdout, stderr) => resolve({ status: err ? Number(err.code ?? 1) : 0, stderr }),
        );
    });

/** A file as committed, with the served text's hash where the committed source's hash stands. */
const asServed = (text: string) =>
    text
        .replaceAll(SCHEMA_SHA256, servedSha256)
        .replaceAll(`${SCHEMA_SHA256.slice(0, 16)}…`, `${servedSha256.slice(0, 16)}…`);

describe("generate-schema from the committed source", () => {
    it("lists every generated file as stale in an empty output directory, and writes nothing with --check", async () => {
        const out = mkdtempSync(join(scratch, "out-"));
        const r = await spawnCli(["--check", "--out", out]);
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/Stale generated files/);
        expect(r.stderr).toContain(`${GENERATED_DIR}/classes.ts`);
        expect(readdirSync(out)).toEqual([]);
    });
});

describe("generate-schema --url", () => {
    it("fetches the schema from a server and generates the committed files from it", async () => {
        const [user, password] = sim.adminCredentials.split(":");
        const out = mkdtempSync(join(scratch, "gen-"));
        const r = await cli(["--url", sim.url, "--version", SCHEMA_VERSION, "--out", out], {
            STALWART_USER: user,
            STALWART_PASSWORD: password,
        });
        expect(r.stderr).toMatch(/6 of 6 generated files updated/);
        expect(r.status).toBe(0);
        for (const file of readdirSync(join(PROJECT_ROOT, GENERATED_DIR))) {
            expect(readFileSync(join(out, file), "utf8"), file).toBe(
                asServed(readFileSync(join(PROJECT_ROOT, GENERATED_DIR, file), "utf8")),
            );
        }
    });

    it("extracts the committed source from a server, authenticated with an API key", async () => {
        const facts = join(scratch, "facts-source.json");
        writeFileSync(facts, committedSourceText());
        const out = join(scratch, "extracted.json");
        const r = await cli(
            ["--extract", "--url", sim.url, "--version", SCHEMA_VERSION, "--facts", facts, "--out", out],
            { STALWART_TOKEN: sim.apiKey },
        );
        expect(r.status).toBe(0);
        expect(readFileSync(out, "utf8")).toBe(asServed(readFileSync(SOURCE_FILE, "utf8")));
    });

    it("names the credentials problem instead of writing anything", async () => {
        const out = mkdtempSync(join(scratch, "denied-"));
        const wrong = await cli(["--url", sim.url, "--version", SCHEMA_VERSION, "--out", out], {
            STALWART_USER: "admin",
            STALWART_PASSWORD: "wrong-password",
        });
        const none = await cli(["--url", sim.url, "--version", SCHEMA_VERSION, "--out", out]);
        expect(wrong.status).toBe(1);
        expect(wrong.stderr).toMatch(/401/);
        expect(wrong.stderr).not.toMatch(/wrong-password/);
        expect(none.status).toBe(1);
        expect(none.stderr).toMatch(/STALWART_TOKEN/);
        expect(readdirSync(out)).toEqual([]);
    });

    it("refuses --extract without facts and a schema that is not a registry schema, naming the fix", async () => {
        const notSchema = join(scratch, "schema-v0.16.18.json");
        writeFileSync(notSchema, JSON.stringify({ openapi: "3.0.0" }));
        const noFacts = await cli(["--extract", "--url", sim.url, "--version", SCHEMA_VERSION]);
        const wrongShape = await cli(["--schema", notSchema, "--check"]);
        const ignored = await cli(["--facts", notSchema, "--check"]);
        expect(ignored.status).toBe(1);
        expect(ignored.stderr).toMatch(/--facts, --no-facts and --version go with --schema or --url/);
        expect(noFacts.status).toBe(1);
        expect(noFacts.stderr).toMatch(/--extract needs the per-object facts: --facts/);
        expect(wrongShape.status).toBe(1);
        expect(wrongShape.stderr).toMatch(
            /not a Stalwart registry schema \(the JSON a Stalwart server serves at GET \/api\/schema\)/,
        );
    });
});
