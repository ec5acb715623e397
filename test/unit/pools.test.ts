// test/support/pools.cjs: a file that installs Pulumi mocks or serializes functions (itself or through
// a helper under test/) gets a fresh process; the rest share workers. A wrong answer would leak mock
// state, or a provider another file called in-process, into a later file's serialization.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { isolatedTestFiles } from "../support/pools.cjs";

// spelled in parts: written whole, the calls in these fixtures would make this file need isolation too
const SET_MOCKS = ["set", "Mocks"].join("");
const SERIALIZE = ["serialize", "Function"].join("");

function tree(files: Record<string, string>): string {
    const root = mkdtempSync(join(tmpdir(), "tailwart-pools-"));
    for (const [name, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, name)), { recursive: true });
        writeFileSync(join(root, name), text);
    }
    return root;
}

describe("test/support/pools.cjs", () => {
    it("isolates direct and indirect callers of setMocks and serializeFunction, nothing else", () => {
        const root = tree({
            "test/a/direct.test.ts": `await pulumi.runtime.${SET_MOCKS}({ newResource: () => ({}) });`,
            "test/a/indirect.test.ts": 'import { install } from "../support/helper";',
            "test/a/dynamic.test.ts": 'const h = await import("../support/helper");',
            "test/support/helper.ts": 'export { install } from "./deep";',
            "test/support/deep.ts": `export const install = () => pulumi.runtime.${SET_MOCKS}(mocks);`,
            "test/b/serializes.test.ts": 'import { text } from "../support/host";',
            "test/support/host.ts": `export const text = (p) => pulumi.runtime.${SERIALIZE}(() => p);`,
            "test/a/plain.test.ts": 'import { x } from "../support/plain"; // mentions setMocks only as a word',
            "test/support/plain.ts": "export const x = 1;",
            "test/a/outside.test.ts": 'import { y } from "../../components/y";',
            "components/y.ts": `pulumi.runtime.${SET_MOCKS}(m);`,
        });
        expect(isolatedTestFiles(root)).toEqual([
            "test/a/direct.test.ts",
            "test/a/dynamic.test.ts",
            "test/a/indirect.test.ts",
            "test/b/serializes.test.ts",
        ]);
    });

    it("isolates this project's component tests and provider tests, and shares the plain unit tests", () => {
        const isolated = isolatedTestFiles();
        expect(isolated).toContain("test/unit/stalwartObject.test.ts");
        expect(isolated).toContain("test/components/program.test.ts");
        expect(isolated).toContain("test/provider/garage.grpc.test.ts");
        expect(isolated).toContain("test/provider/lifecycle.sim.test.ts");
        expect(isolated).toContain("test/unit/stalwartSerialize.test.ts");
        expect(isolated).not.toContain("test/unit/planCli.test.ts");
        expect(isolated).not.toContain("test/unit/config.test.ts");
        expect(isolated).not.toContain("test/unit/pools.test.ts");
    });
});
