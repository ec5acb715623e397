// The GitHub workflows (.github/workflows/preview.yml, up.yml), parsed: which triggers, which stacks,
// which commands, the policy pack, and secrets only by name (each one documented in docs/ci.md).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../support/stackConfig";

interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}
interface Job {
    if?: string;
    needs?: string | string[];
    environment?: string;
    strategy?: { matrix?: Record<string, unknown[]> };
    steps: Step[];
}
interface Workflow {
    on: Record<string, any>;
    jobs: Record<string, Job>;
}

const read = (name: string) => readFileSync(join(PROJECT_ROOT, ".github", "workflows", name), "utf8");
const load = (name: string) => parse(read(name)) as Workflow;
const preview = load("preview.yml");
const up = load("up.yml");

const runs = (job: Job) => job.steps.flatMap((s) => (s.run ? [s.run.trim()] : []));
const pulumiSteps = (job: Job) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));

/**
 * Whether a job's `if` holds for an event: the workflows use only `<context> == '<value>'` clauses
 * joined by `&&` and `||` (no parentheses), which this evaluates; anything else fails the test.
 */
function runsOn(job: Job, context: Record<string, string>): boolean {
    if (!job.if) return true;
    return job.if.split("||").some((any) =>
        any.split("&&").every((clause) => {
            const m = /^\s*([\w.]+)\s*==\s*'([^']*)'\s*$/.exec(clause);
            if (!m) throw new Error(`unsupported condition ${JSON.stringify(clause)} in ${JSON.stringify(job.if)}`);
            return (context[m[1]!] ?? "") === m[2];
        }),
    );
}

/** The stacks `up` deploys for an event: the stack-name of each job that runs. */
function deployed(context: Record<string, string>): string[] {
    return Object.values(up.jobs)
        .filter((job) => runsOn(job, context))
        .flatMap((job) => pulumiSteps(job).map((s) => String(s.with?.["stack-name"])));
}

/** Every string value in a parsed document, with its path. */
function strings(v: unknown, path = ""): [string, string][] {
    if (typeof v === "string") return [[path, v]];
    if (Array.isArray(v)) return v.flatMap((x, i) => strings(x, `${path}[${i}]`));
    if (typeof v === "object" && v !== null)
        return Object.entries(v).flatMap(([k, x]) => strings(x, path ? `${path}.${k}` : k));
    return [];
}

describe("preview.yml", () => {
    it("runs on pull requests only", () => {
        expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    });

    it("installs with npm ci on Node 20 and runs npm test", () => {
        const test = preview.jobs.test!;
        expect(test.steps.find((s) => s.uses?.startsWith("actions/setup-node@"))?.with?.["node-version"]).toBe("20");
        expect(runs(test)).toEqual(["npm ci", "npm ci --prefix policy", "npm test"]);
    });

    it("previews dev and prod with the Pulumi action, the policy pack and a PR comment, after the tests", () => {
        const job = preview.jobs.preview!;
        expect(job.needs).toBe("test");
        expect(job.strategy?.matrix?.stack).toEqual(["dev", "prod"]);
        expect(runs(job).slice(0, 2)).toEqual(["npm ci", "npm ci --prefix policy"]);
        const [step, ...more] = pulumiSteps(job);
        expect(more).toEqual([]);
        expect(step!.with).toEqual({
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            "comment-on-pr": true,
            policyPacks: "policy",
        });
    });

    it("writes each stack's offline plan into the job summary", () => {
        const step = preview.jobs.preview!.steps.find((s) => s.run?.includes("npm run"));
        expect(step?.run).toMatch(/npm run --silent plan -- --stack "\$STACK"/);
        expect(step?.run?.trim()).toMatch(/>> "\$GITHUB_STEP_SUMMARY"$/);
        expect(step?.env?.STACK).toBe("${{ matrix.stack }}");
    });
});

describe("up.yml", () => {
    it("runs on pushes to main and by hand with a choice of dev or prod", () => {
        expect(Object.keys(up.on).sort()).toEqual(["push", "workflow_dispatch"]);
        expect(up.on.push).toEqual({ branches: ["main"] });
        expect(up.on.workflow_dispatch.inputs.stack).toMatchObject({
            type: "choice",
            options: ["dev", "prod"],
            default: "dev",
        });
    });

    it("deploys dev on a push and never prod; prod only when dispatched with stack=prod", () => {
        expect(deployed({ "github.event_name": "push" })).toEqual(["dev"]);
        expect(deployed({ "github.event_name": "push", "inputs.stack": "prod" })).toEqual(["dev"]);
        expect(deployed({ "github.event_name": "workflow_dispatch", "inputs.stack": "prod" })).toEqual(["prod"]);
        expect(deployed({ "github.event_name": "workflow_dispatch", "inputs.stack": "dev" })).toEqual(["dev"]);
    });

    it("runs `pulumi up` with the policy pack, each stack in its own GitHub environment, the jobs alike otherwise", () => {
        for (const stack of ["dev", "prod"]) {
            const job = up.jobs[stack]!;
            expect(job.environment).toBe(stack);
            expect(runs(job).slice(0, 2)).toEqual(["npm ci", "npm ci --prefix policy"]);
            expect(pulumiSteps(job).map((s) => s.with)).toEqual([
                { command: "up", "stack-name": stack, policyPacks: "policy" },
            ]);
        }
        const withoutStack = (job: Job) =>
            JSON.stringify(job.steps).replaceAll('"stack-name":"prod"', '"stack-name":"dev"');
        expect(withoutStack(up.jobs.prod!)).toBe(withoutStack(up.jobs.dev!));
    });
});

describe("both workflows", () => {
    const docs = readFileSync(join(PROJECT_ROOT, "docs", "ci.md"), "utf8");

    it("pin every action to a major version", () => {
        for (const wf of [preview, up]) {
            for (const job of Object.values(wf.jobs))
                for (const s of job.steps) if (s.uses) expect(s.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/);
        }
        expect(JSON.stringify([preview, up])).toContain("pulumi/actions@v");
    });

    it("name secrets only as ${{ secrets.NAME }}, never a literal credential, each documented in docs/ci.md", () => {
        const used = new Set<string>();
        for (const [file, wf] of [
            ["preview.yml", preview],
            ["up.yml", up],
        ] as const) {
            for (const [path, value] of strings(wf)) {
                for (const m of value.matchAll(/secrets\.(\w+)/g)) used.add(m[1]!);
                // a secret reference is the whole value, so it is never pasted into a script
                if (value.includes("secrets.")) expect(value, `${file} ${path}`).toMatch(/^\$\{\{ secrets\.\w+ \}\}$/);
                expect(value, `${file} ${path}`).not.toMatch(/tskey-|pul-[0-9a-f]{20,}|-----BEGIN|API_[A-Za-z0-9]{8,}/);
                const key = path.split(".").at(-1)!;
                if (/(TOKEN|SECRET|PASSWORD|KEY)\b/.test(key) || /^oauth-/.test(key))
                    expect(value, `${file} ${path}`).toMatch(/^\$\{\{ secrets\.\w+ \}\}$/);
            }
        }
        expect([...used].sort()).toEqual([
            "DOCKER_SSH_KEY",
            "DOCKER_SSH_KNOWN_HOSTS",
            "GARAGE_ADMIN_TOKEN",
            "PULUMI_ACCESS_TOKEN",
            "STALWART_TOKEN",
            "STALWART_URL",
            "TS_OAUTH_CLIENT_ID",
            "TS_OAUTH_SECRET",
        ]);
        for (const name of used) expect(docs, `docs/ci.md documents ${name}`).toContain(`\`${name}\``);
    });
});
