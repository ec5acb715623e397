/**
 * npm run generate:schema -- [options]
 *
 *   (no input option)          regenerate components/stalwart/generated/ from the committed source
 *                              (the newest schema/stalwart/vX.Y.Z.json); --source <file> names another
 *   --schema <file> | --url <base>
 *                              generate straight from Stalwart's registry schema: a file, or a live
 *                              server's GET /api/schema (credentials: STALWART_TOKEN as Bearer, or
 *                              STALWART_USER/STALWART_PASSWORD as Basic); --version vX.Y.Z names the
 *                              release (a file's name may carry it). The facts come from --facts <file>
 *                              (Stalwart's objects-vX.Y.Z.json, or a committed source), else from the
 *                              committed source of that version; --no-facts leaves them out.
 *   --extract                  with --schema or --url and --facts (or --no-facts): write the committed
 *                              source instead, to --out <file> (default schema/stalwart/<version>.json)
 *   --check                    write nothing; exit 1 listing what is stale
 *   --out <dir>                generation only: write the generated files there instead
 *
 * The extraction and its rules: tools/schema/extract.ts, docs/decisions/011-schema-sources-in-repo.md.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { extract, formatSource } from "./extract";
import { fetchSchema } from "./fetchSchema";
import { GENERATED_DIR, generate } from "./generate";
import type { SchemaSource } from "./input";
import { newestSource, PROJECT_ROOT, readSourceFile, sourcePath } from "./sources";

type Options = ReturnType<typeof parseOptions>;

function parseOptions(args: string[]) {
    const { values } = parseArgs({
        args,
        options: {
            source: { type: "string" },
            schema: { type: "string" },
            url: { type: "string" },
            facts: { type: "string" },
            "no-facts": { type: "boolean", default: false },
            version: { type: "string" },
            extract: { type: "boolean", default: false },
            check: { type: "boolean", default: false },
            out: { type: "string" },
        },
    });
    if (values.schema && values.url) throw new Error("Pass either --schema <file> or --url <base>, not both.");
    if (values.source && (values.schema || values.url))
        throw new Error("--source reads a committed source; leave out --schema and --url.");
    if (values.facts && values["no-facts"]) throw new Error("Pass either --facts <file> or --no-facts, not both.");
    if (!values.schema && !values.url && (values.facts || values["no-facts"] || values.version)) {
        throw new Error(
            "--facts, --no-facts and --version go with --schema or --url; a committed source carries its own.",
        );
    }
    if (values.extract && !values.schema && !values.url)
        throw new Error("--extract needs Stalwart's registry schema: --schema <file> or --url <base>.");
    if (values.extract && !values.facts && !values["no-facts"]) {
        throw new Error(
            "--extract needs the per-object facts: --facts <objects-vX.Y.Z.json> (or a committed source), or --no-facts.",
        );
    }
    return values;
}

function versionFromFileName(file: string): string {
    const match = /v\d+\.\d+\.\d+/.exec(basename(file));
    if (!match) throw new Error(`Cannot tell the Stalwart version from ${basename(file)}; pass --version vX.Y.Z.`);
    return match[0];
}

/** The registry schema text and its release tag, from --schema or --url. */
async function readUpstream(options: Options, env: NodeJS.ProcessEnv): Promise<{ text: string; version: string }> {
    if (options.url) {
        if (!options.version) throw new Error("--url needs --version vX.Y.Z (the server's release tag).");
        return { text: await fetchSchema(options.url, env), version: options.version };
    }
    const file = resolve(options.schema!);
    if (!existsSync(file)) throw new Error(`Schema file ${file} does not exist.`);
    return { text: readFileSync(file, "utf8"), version: options.version ?? versionFromFileName(file) };
}

/** --facts, else the committed source of the same version (its facts), else none. */
function factsText(options: Options, version: string): string | undefined {
    if (options["no-facts"]) return undefined;
    const file = options.facts ? resolve(options.facts) : sourcePath(version);
    if (existsSync(file)) return readFileSync(file, "utf8");
    if (options.facts) throw new Error(`Facts file ${file} does not exist.`);
    return undefined;
}

async function extractMode(options: Options, env: NodeJS.ProcessEnv): Promise<number> {
    const { text, version } = await readUpstream(options, env);
    const content = formatSource(extract(text, factsText(options, version), version));
    const target = options.out ? resolve(options.out) : sourcePath(version);
    const current = existsSync(target) ? readFileSync(target, "utf8") : undefined;
    if (options.check) {
        if (current === content) return 0;
        console.error(`${relative(process.cwd(), target)} is stale (run the same command without --check).`);
        return 1;
    }
    mkdirSync(dirname(target), { recursive: true });
    if (current !== content) writeFileSync(target, content);
    console.error(
        `Schema source ${version}: ${relative(process.cwd(), target)}, ${Math.round(content.length / 1024)} KB${current === content ? ", unchanged" : ""}.`,
    );
    return 0;
}

async function generationInput(options: Options, env: NodeJS.ProcessEnv): Promise<SchemaSource> {
    if (!options.schema && !options.url)
        return readSourceFile(options.source ? resolve(options.source) : newestSource());
    const { text, version } = await readUpstream(options, env);
    return extract(text, factsText(options, version), version);
}

async function generateMode(options: Options, env: NodeJS.ProcessEnv): Promise<number> {
    const input = await generationInput(options, env);
    if (!input.facts) {
        console.error(
            "No per-object facts: required, mustProvide, unique, foreign-key, computed and account-scoped lists will be empty.",
        );
    }
    const files = generate(input);
    const outDir = options.out ? resolve(options.out) : join(PROJECT_ROOT, GENERATED_DIR);
    const targetOf = (path: string) => join(outDir, relative(GENERATED_DIR, path));
    const stale = Object.entries(files).filter(([path, content]) => {
        const target = targetOf(path);
        return !existsSync(target) || readFileSync(target, "utf8") !== content;
    });
    if (options.check) {
        if (stale.length === 0) return 0;
        console.error(
            `Stale generated files (run \`npm run generate:schema\`):\n${stale.map(([p]) => `  ${p}`).join("\n")}`,
        );
        return 1;
    }
    for (const [path, content] of stale) {
        mkdirSync(dirname(targetOf(path)), { recursive: true });
        writeFileSync(targetOf(path), content);
    }
    console.error(
        `Schema ${input.source.version}: ${stale.length} of ${Object.keys(files).length} generated files updated.`,
    );
    return 0;
}

/** The command: its exit status; problems are reported on stderr as one message naming the fix. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
    try {
        const options = parseOptions(args);
        return await (options.extract ? extractMode(options, env) : generateMode(options, env));
    } catch (error) {
        const usage = (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
            ? " (the options are listed at the top of tools/schema/cli.ts)"
            : "";
        console.error(`${error instanceof Error ? error.message : String(error)}${usage}`);
        return 1;
    }
}

if (require.main === module) void runCli(process.argv.slice(2)).then((code) => process.exit(code));
