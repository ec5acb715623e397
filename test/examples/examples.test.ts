// The examples as a user's own projects: each type-checks against the built package and runs under
// Pulumi's mocks with tailwart linked to the repository. With TAILWART_PACKED_EXAMPLES=1 (.ci/run sets
// it) the package is also packed with `npm pack`, installed from the tarball into a fresh copy of each
// example by npm, and each example type-checked and run there.
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt } from "../support/built";
import { PROJECT_ROOT } from "../support/stackConfig";
import {
    EXAMPLES_DIR,
    installedExample,
    linkedExample,
    packTarball,
    runExample,
    scratchDir,
    typeErrors,
} from "./exampleProject";
import { EXAMPLE_STACKS, EXPECTATIONS } from "./expectations";

const EXAMPLES = readdirSync(EXAMPLES_DIR).sort();
const PACKED = process.env.TAILWART_PACKED_EXAMPLES === "1";
const SLOW = 300_000;

/** Type-check and mock-run each example in `dirs`; `packageDir` is where its tailwart lives. */
function checkEach(dirs: () => Record<string, string>, packageDir: () => string): void {
    for (const name of EXAMPLES) {
        it(
            `${name} type-checks against the package's declarations`,
            () => {
                expect(typeErrors(dirs()[name]!)).toBe("");
            },
            SLOW,
        );

        it(
            `${name} runs under mocks and registers what it describes`,
            () => {
                const { stack, config, secretKeys } = EXAMPLE_STACKS[name]!;
                const started = Date.now();
                const run = runExample(dirs()[name]!, stack, config, secretKeys);
                console.log(`${name}: ${run.resources.length} resources under mocks in ${Date.now() - started} ms`);
                EXPECTATIONS[name]!(run, packageDir());
            },
            SLOW,
        );
    }
}

it("every example has its stack and its expectations", () => {
    expect(EXAMPLES).toEqual(["settings-only", "two-hosts"]);
    expect(Object.keys(EXAMPLE_STACKS).sort()).toEqual(EXAMPLES);
    expect(Object.keys(EXPECTATIONS).sort()).toEqual(EXAMPLES);
});

describe("examples linked to the repository", () => {
    const dirs: Record<string, string> = {};
    let into = "";
    beforeAll(async () => {
        await ensureBuilt();
        into = scratchDir("examples");
        for (const name of EXAMPLES) dirs[name] = linkedExample(name, into);
    }, SLOW);
    afterAll(() => rmSync(into, { recursive: true, force: true }));
    checkEach(
        () => dirs,
        () => PROJECT_ROOT,
    );
});

describe.runIf(PACKED)("examples installed from the packed tarball", () => {
    const dirs: Record<string, string> = {};
    let into = "";
    beforeAll(async () => {
        await ensureBuilt();
        into = scratchDir("packed");
        const started = Date.now();
        const { tarball, bytes, files } = packTarball(into);
        console.log(
            `npm pack: ${tarball} (${(bytes / 1024).toFixed(0)} KB, ${files} files) in ${Date.now() - started} ms`,
        );
        for (const name of EXAMPLES) {
            const t = Date.now();
            dirs[name] = installedExample(name, into, tarball);
            console.log(`${name}: npm install of the tarball in ${Date.now() - t} ms`);
        }
    }, 2 * SLOW);
    // an install is a few hundred MB: never left behind
    afterAll(() => rmSync(into, { recursive: true, force: true }));
    checkEach(
        () => dirs,
        () => join(dirs["two-hosts"]!, "node_modules", "tailwart"),
    );

    it("installs no bundler: the providers come prebuilt, so esbuild is only a build-time dependency", () => {
        for (const name of EXAMPLES) expect(existsSync(join(dirs[name]!, "node_modules", "esbuild")), name).toBe(false);
    });
});
