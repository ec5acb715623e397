/**
 * Live checks of one running deployment (docs/doctor.md).
 * Usage: npm run doctor -- --stack <name> [--dir <project dir>] [--json] [--timeout <seconds per check>]
 * Reads Pulumi.<stack>.yaml as `npm run plan` does; encrypted values come from the environment
 * (STALWART_TOKEN or STALWART_USER/STALWART_PASSWORD, PGPASSWORD, TAILWART_REDIS_URL).
 * Exit codes: 0 nothing failed (warnings allowed), 1 a check failed (an invalid config included),
 * 2 usage or I/O error. --json prints exactly {"checks":[{"id","status","detail","fix"?}]}.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parse } from "yaml";
import { ConfigError } from "../components/config";
import {
    configFailure,
    configResult,
    type CheckResult,
    doctorTarget,
    type DoctorTarget,
    exitCode,
    formatReport,
    reportJson,
    runDoctor,
    systemNetwork,
} from "../components/doctor";

interface Args {
    stack: string;
    dir: string;
    json: boolean;
    timeoutMs?: number;
}

function usage(message: string): never {
    process.stderr.write(
        `${message}\nusage: npm run doctor -- --stack <name> [--dir <project dir>] [--json] [--timeout <seconds per check>]\n`,
    );
    process.exit(2);
}

function args(argv: string[]): Args {
    let stack: string | undefined;
    let dir: string | undefined;
    let json = false;
    let timeoutMs: number | undefined;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--stack" || a === "-s") stack = argv[++i] ?? usage("--stack needs a name");
        else if (a?.startsWith("--stack=")) stack = a.slice(8);
        else if (a === "--dir") dir = argv[++i] ?? usage("--dir needs a path");
        else if (a === "--json") json = true;
        else if (a === "--timeout") {
            const seconds = Number(argv[++i]);
            if (!(seconds > 0)) usage("--timeout needs a number of seconds greater than 0");
            timeoutMs = seconds * 1000;
        } else usage(`unknown argument ${a}`);
    }
    const name = stack ?? usage("--stack is required");
    // npm runs scripts in the project root; a stack file where `npm run doctor` was typed comes first
    const typedIn = process.env.INIT_CWD;
    dir ??= typedIn && existsSync(join(typedIn, `Pulumi.${name}.yaml`)) ? typedIn : process.cwd();
    return { stack: name, dir: resolve(dir), json, timeoutMs };
}

async function results(a: Args): Promise<CheckResult[]> {
    const file = join(a.dir, `Pulumi.${a.stack}.yaml`);
    if (!existsSync(file))
        usage(`no stack file ${file}; create it with \`pulumi stack init ${a.stack}\` and set its config`);
    let doc: { config?: Record<string, unknown> };
    try {
        doc = (parse(readFileSync(file, "utf8")) ?? {}) as typeof doc;
    } catch (e) {
        usage(`${file} is not YAML: ${e instanceof Error ? e.message : String(e)}`);
    }
    let target: DoctorTarget;
    try {
        target = doctorTarget(a.stack, doc.config ?? {}, process.env, basename(file));
    } catch (e) {
        if (e instanceof ConfigError) return [configFailure(e, basename(file))];
        throw e;
    }
    return [
        configResult(target, basename(file)),
        ...(await runDoctor(target, { net: systemNetwork(), timeoutMs: a.timeoutMs })),
    ];
}

async function main(): Promise<void> {
    const a = args(process.argv.slice(2));
    const out = await results(a);
    const text = a.json ? reportJson(out) : formatReport(a.stack, out);
    // exit at once: a server that never closes its side must not keep the process alive
    process.stdout.write(text, () => process.exit(exitCode(out)));
}

main().catch((e: unknown) => {
    process.stderr.write(`doctor: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
});
