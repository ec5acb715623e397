/**
 * npm run generate:schema -- [--schema <file> | --url <base>] [--facts <file> | --no-facts] [--version <tag>] [--check]
 *
 * Regenerates components/stalwart/generated/ from Stalwart's registry schema, read from a file
 * (default ../shared/stalwart/schema-v0.16.18.json) or from a live server's GET /api/schema
 * (credentials: STALWART_TOKEN as Bearer, or STALWART_USER/STALWART_PASSWORD as Basic).
 * --check regenerates in memory and exits 1 listing the committed files that are stale.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generate } from "../components/stalwart/schema/generate";

const PROJECT_ROOT = resolve(__dirname, "..");
const DEFAULT_SCHEMA = resolve(PROJECT_ROOT, "../shared/stalwart/schema-v0.16.18.json");
const DEFAULT_FACTS = resolve(PROJECT_ROOT, "../shared/stalwart/objects-v0.16.18.json");

function authHeader(): string {
    const token = process.env.STALWART_TOKEN;
    if (token) return `Bearer ${token}`;
    const user = process.env.STALWART_USER;
    const password = process.env.STALWART_PASSWORD;
    if (user && password) return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    throw new Error("--url needs credentials: set STALWART_TOKEN (Bearer) or STALWART_USER and STALWART_PASSWORD (Basic).");
}

/** GET /api/schema answers 302 to /api/schema/<hash>; fetch decodes the gzip body (stalwart-api.md §7). */
async function fetchSchema(base: string): Promise<string> {
    const headers = { Authorization: authHeader(), Accept: "application/json" };
    let url = new URL("/api/schema", base);
    for (let hop = 0; hop < 3; hop++) {
        const response = await fetch(url, { headers, redirect: "manual" }).catch((error: Error) => {
            const cause = error.cause instanceof Error ? error.cause.message : error.message;
            throw new Error(`Cannot reach ${url} (${cause}); is the Stalwart server at ${base} up?`);
        });
        const location = response.headers.get("location");
        if (response.status >= 300 && response.status < 400 && location) {
            url = new URL(location, url);
            continue;
        }
        if (!response.ok) throw new Error(`GET ${url} answered ${response.status} ${response.statusText}; check the URL and the credentials.`);
        return await response.text();
    }
    throw new Error(`GET ${new URL("/api/schema", base)} kept redirecting; is ${base} a Stalwart v0.16 server?`);
}

function versionFromFileName(file: string): string {
    const match = /v\d+\.\d+\.\d+/.exec(basename(file));
    if (!match) throw new Error(`Cannot tell the Stalwart version from ${basename(file)}; pass --version vX.Y.Z.`);
    return match[0];
}

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            schema: { type: "string" },
            url: { type: "string" },
            facts: { type: "string" },
            "no-facts": { type: "boolean", default: false },
            version: { type: "string" },
            check: { type: "boolean", default: false },
        },
    });
    if (values.schema && values.url) throw new Error("Pass either --schema <file> or --url <base>, not both.");
    const schemaFile = values.schema ? resolve(values.schema) : DEFAULT_SCHEMA;
    const schemaText = values.url ? await fetchSchema(values.url) : readFileSync(schemaFile, "utf8");
    const version = values.version ?? (values.url ? undefined : versionFromFileName(schemaFile));
    if (!version) throw new Error("--url needs --version vX.Y.Z (the server's release tag).");

    const factsFile = values["no-facts"] ? undefined : values.facts ? resolve(values.facts) : DEFAULT_FACTS;
    let factsText: string | undefined;
    if (factsFile && existsSync(factsFile)) factsText = readFileSync(factsFile, "utf8");
    else if (values.facts) throw new Error(`Facts file ${factsFile} does not exist.`);
    if (factsText === undefined) {
        console.error("No per-object facts file: required, mustProvide, unique, foreign-key and computed lists will be empty.");
    }

    const files = generate(schemaText, factsText, version);
    const stale = Object.entries(files).filter(([path, content]) => {
        const target = join(PROJECT_ROOT, path);
        return !existsSync(target) || readFileSync(target, "utf8") !== content;
    });
    if (values.check) {
        if (stale.length === 0) return 0;
        console.error(`Stale generated files (run \`npm run generate:schema\`):\n${stale.map(([p]) => `  ${p}`).join("\n")}`);
        return 1;
    }
    for (const [path, content] of stale) {
        mkdirSync(dirname(join(PROJECT_ROOT, path)), { recursive: true });
        writeFileSync(join(PROJECT_ROOT, path), content);
    }
    console.error(`Schema ${version}: ${stale.length} of ${Object.keys(files).length} generated files updated.`);
    return 0;
}

main().then(
    (code) => process.exit(code),
    (error: unknown) => {
        console.error(error instanceof Error ? error.message : error);
        process.exit(1);
    },
);
