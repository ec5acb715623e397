// `npm test`: typecheck (the project's and the policy pack's), lint, the import-cycle gate and every
// vitest test. Every step runs even when another one failed, so one type error never hides the test
// results; the exit status is non-zero when any step failed. Arguments go to vitest.
//
// Steps run side by side: vitest at normal priority with its output live, the others niced, their
// output held and printed after vitest's (so the two never interleave), each with its wall time.
// On 2 cores the short steps fill the gaps while vitest's tests wait on child processes and
// backoffs. tsc and eslint keep caches under node_modules/.cache/tailwart/<checkout>/ (scripts/launch.cjs),
// so a warm run re-checks only what changed. Outcomes and times go to .test-steps.json for
// scripts/ci-summary.cjs.
"use strict";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { performance } = require("node:perf_hooks");
const { cacheDirOf } = require("./launch.cjs");

const root = path.join(__dirname, "..");
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const cache = cacheDirOf(root);
// tsc with its incremental record in the cache: a warm run re-checks only what changed
const tsc = (project, record) => [
    "--noEmit",
    "-p",
    project,
    "--incremental",
    "--tsBuildInfoFile",
    path.join(cache, record),
];
// The policy pack (policy/) has its own package and tsconfig; it is type-checked once
// `npm ci --prefix policy` has installed @pulumi/policy (.ci/run does).
const policyInstalled = fs.existsSync(path.join(root, "policy", "node_modules", "@pulumi", "policy"));
const steps = [
    { name: "typecheck", file: bin("tsc"), args: tsc(".", "typecheck.tsbuildinfo") },
    {
        name: "typecheck:policy",
        file: bin("tsc"),
        args: tsc("policy", "typecheck-policy.tsbuildinfo"),
        // in CI a missing install is a failure; on a developer's machine, a notice
        missing: policyInstalled
            ? undefined
            : {
                  status: process.env.CI ? "failed" : "skipped",
                  why: "policy/node_modules is missing; run `npm ci --prefix policy`",
              },
    },
    {
        name: "lint",
        file: bin("eslint"),
        args: [
            "--max-warnings",
            "0",
            "--cache",
            "--cache-strategy",
            "content",
            "--cache-location",
            path.join(cache, "eslint.cache"),
            ".",
        ],
    },
    { name: "cycles", file: process.execPath, args: [path.join(__dirname, "check-cycles.cjs")] },
    // hand-written files at most 400 lines, functions at most 80 of their own (decision 009)
    { name: "size", file: process.execPath, args: [path.join(__dirname, "check-size.cjs")] },
    // one layout, Prettier's, at 120 columns (.prettierrc.json); generated code and prose are left as they are
    {
        name: "format",
        file: bin("prettier"),
        args: [
            "--check",
            "--log-level",
            "warn",
            "--cache",
            "--cache-location",
            path.join(cache, "prettier.cache"),
            ".",
        ],
    },
    { name: "vitest", file: bin("vitest"), args: ["run", ...process.argv.slice(2)], live: true },
];
const BACKGROUND_NICENESS = 10;
let liveRunning = true;

const seconds = (since) => Number(((performance.now() - since) / 1000).toFixed(1));
const write = (text) => process.stdout.write(text);

/** Runs one step; resolves with its status, wall time and (for a held step) its output. */
function run(step) {
    const started = performance.now();
    if (step.missing) {
        write(`== ${step.name} ${step.missing.status}: ${step.missing.why}\n`);
        return Promise.resolve({ ...step, status: step.missing.status, seconds: 0, output: "" });
    }
    return new Promise((resolve) => {
        const child = spawn(step.file, step.args, {
            cwd: root,
            stdio: step.live ? "inherit" : ["ignore", "pipe", "pipe"],
        });
        const output = [];
        if (!step.live) {
            // a lower priority only: a step that cannot be niced still runs
            try {
                os.setPriority(child.pid, BACKGROUND_NICENESS);
            } catch {
                /* not permitted here */
            }
            child.stdout.on("data", (chunk) => output.push(chunk));
            child.stderr.on("data", (chunk) => output.push(chunk));
        }
        let settled = false;
        const done = (status, detail = "") => {
            // a spawn failure emits "error" and may emit "close" after it
            if (settled) return;
            settled = true;
            const result = {
                ...step,
                status: status === 0 ? "passed" : "failed",
                seconds: seconds(started),
                output: Buffer.concat(output).toString("utf8") + detail,
            };
            if (!step.live)
                write(
                    `== ${step.name} ${result.status} (${result.seconds} s${liveRunning ? "; its output follows vitest's" : ""})\n`,
                );
            else liveRunning = false;
            resolve(result);
        };
        child.on("error", (error) => done(1, `${step.file}: ${error.message}\n`));
        child.on("close", (code) => done(code));
    });
}

async function main() {
    const started = performance.now();
    fs.mkdirSync(cache, { recursive: true });
    write(
        steps
            .filter((s) => !s.missing)
            .map((s) => `== ${s.name}: ${path.basename(s.file)} ${s.args.join(" ")}`)
            .join("\n") + "\n\n",
    );
    const results = await Promise.all(steps.map(run));
    const total = seconds(started);
    for (const r of results.filter((r) => !r.live && (r.output.trim() !== "" || r.status === "failed"))) {
        write(`\n== ${r.name} (${r.status}, ${r.seconds} s)\n${r.output.trimEnd()}\n`);
    }
    const report = {
        steps: Object.fromEntries(results.map((r) => [r.name, { status: r.status, seconds: r.seconds }])),
        seconds: total,
    };
    fs.writeFileSync(path.join(root, ".test-steps.json"), `${JSON.stringify(report)}\n`);
    const failed = results.filter((r) => r.status === "failed").map((r) => r.name);
    write(
        `\n== wall time: ${results.map((r) => `${r.name} ${r.seconds} s`).join(", ")}; npm test ${total} s (side by side)\n`,
    );
    const passed = results.filter((r) => r.status === "passed").map((r) => r.name);
    write(`== ${failed.length ? `failed: ${failed.join(", ")}` : `${passed.join(", ")} passed`}\n`);
    process.exit(failed.length ? 1 : 0);
}

void main();
