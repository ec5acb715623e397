// The API reference's gate (scripts/check-docs.mjs, TypeDoc's validation with typedoc.json's
// settings): every public symbol of both entry points is documented, every reference resolves,
// and an undocumented export would be reported.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/stackConfig";

interface DocCheck {
    docProblems(options?: Record<string, unknown>): Promise<string[]>;
    typedocOptions(overrides?: Record<string, unknown>): Record<string, unknown>;
}

// a path TypeScript does not follow: the script is plain ESM, and TypeDoc's types need another module resolution
const check = (): Promise<DocCheck> => import(join(PROJECT_ROOT, "scripts", "check-docs.mjs"));

/** A one-file project: a documented function, an undocumented one, an args type with one undocumented field. */
function fixture(): { dir: string; entry: string; tsconfig: string } {
    const dir = mkdtempSync(join(tmpdir(), "tailwart-docs-"));
    const entry = join(dir, "index.ts");
    writeFileSync(
        entry,
        [
            "/** Says hello. */",
            "export function documented(): string { return 'hello'; }",
            "export function forgotten(): number { return 1; }",
            "/** Arguments of something. */",
            "export interface SomeArgs {",
            "    /** explained */",
            "    explained: string;",
            "    bare: number;",
            "}",
        ].join("\n"),
    );
    const tsconfig = join(dir, "tsconfig.json");
    writeFileSync(
        tsconfig,
        JSON.stringify({ compilerOptions: { strict: true, rootDir: dir, types: [] }, files: [entry] }),
    );
    return { dir, entry, tsconfig };
}

describe("API reference", () => {
    it("documents every public symbol of tailwart and tailwart/stalwart", async () => {
        const { docProblems } = await check();
        expect(await docProblems()).toEqual([]);
    }, 300_000);

    it("reports an undocumented export and an undocumented args field, by name", async () => {
        const { docProblems, typedocOptions } = await check();
        const { dir, entry, tsconfig } = fixture();
        const problems = await docProblems(typedocOptions({ entryPoints: [entry], tsconfig })).finally(() =>
            rmSync(dir, { recursive: true, force: true }),
        );
        expect(problems).toEqual([
            expect.stringMatching(/^forgotten \(CallSignature\), defined in .*does not have any documentation$/),
            expect.stringMatching(/^SomeArgs\.bare \(Property\), defined in .*does not have any documentation$/),
        ]);
    }, 120_000);
});
