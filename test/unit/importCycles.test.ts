import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/stackConfig";

const { cycles } = createRequire(join(PROJECT_ROOT, "package.json"))("./scripts/check-cycles.cjs") as {
    cycles: (graph: Map<string, string[]>) => string[][];
};

describe("import-cycle gate (scripts/check-cycles.cjs)", () => {
    it("finds a cycle through three files and a self-import", () => {
        const graph = new Map([
            ["config", ["rules"]],
            ["rules", ["plan"]],
            ["plan", ["config", "topology"]],
            ["topology", []],
            ["self", ["self"]],
        ]);
        const found = cycles(graph).map((c) => [...c].sort());
        expect(found).toContainEqual(["config", "plan", "rules"]);
        expect(found).toContainEqual(["self"]);
        expect(found).toHaveLength(2);
    });

    it("passes an acyclic graph", () => {
        expect(
            cycles(
                new Map([
                    ["a", ["b"]],
                    ["b", ["c"]],
                    ["c", []],
                ]),
            ),
        ).toEqual([]);
    });
});
