/**
 * Offline plan: what `pulumi up` would run on each host, from the pure layer, without the Pulumi
 * engine. Usage: npm run plan -- --stack dev [--dir <project dir>] [--json]
 * Exit codes: 0 plan printed (warnings, if any, in its "== warnings" section or the JSON's `warnings`),
 * 1 invalid config (every issue printed) or a stack file that is no valid YAML (file:line:column and
 * the fix), 2 usage or I/O error. Secrets and URL passwords are masked.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError, parseSettings } from "../components/config";
import { parseStackFile, StackFileError } from "../components/config/stackFile";
import { buildPlan } from "../components/plan";
import { formatPlan } from "../components/plan/report";

function usage(message: string): never {
    process.stderr.write(`${message}\nusage: npm run plan -- --stack <name> [--dir <project dir>] [--json]\n`);
    process.exit(2);
}

function args(argv: string[]): { stack: string; dir: string; json: boolean } {
    let stack: string | undefined;
    let dir: string | undefined;
    let json = false;
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--stack" || a === "-s") stack = argv[++i];
        else if (a?.startsWith("--stack=")) stack = a.slice(8);
        else if (a === "--dir") dir = argv[++i] ?? usage("--dir needs a path");
        else if (a === "--json") json = true;
        else usage(`unknown argument ${a}`);
    }
    const name = stack ?? usage("--stack is required");
    // npm runs scripts in the project root; a stack file where `npm run plan` was typed comes first
    const typedIn = process.env.INIT_CWD;
    dir ??= typedIn && existsSync(join(typedIn, `Pulumi.${name}.yaml`)) ? typedIn : process.cwd();
    return { stack: name, dir: resolve(dir), json };
}

function main(): void {
    const { stack, dir, json } = args(process.argv.slice(2));
    const file = join(dir, `Pulumi.${stack}.yaml`);
    if (!existsSync(file))
        usage(`no stack file ${file}; create it with \`pulumi stack init ${stack}\` and set its config`);
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (e) {
        usage(`cannot read ${file}: ${(e as Error).message}`);
    }
    try {
        const config = parseStackFile(text, file);
        const raw = Object.fromEntries(Object.entries(config).map(([k, v]) => [k.replace(/^tailwart:/, ""), v]));
        const plan = buildPlan(parseSettings(raw, stack));
        process.stdout.write(json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
    } catch (e) {
        if (e instanceof StackFileError) process.stderr.write(`${e.message}\n`);
        else if (e instanceof ConfigError) process.stderr.write(`${file}: ${e.message}\n`);
        else throw e;
        process.exit(1);
    }
}

main();
