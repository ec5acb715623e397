import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/stackConfig";

interface Problem {
    file: string;
    line: number;
    text: string;
    why: string;
}
const citations = createRequire(join(PROJECT_ROOT, "package.json"))("./scripts/rewrite-citations.cjs") as {
    rewrite: (text: string, file: string) => string;
    headingAnchors: (markdown: string) => Set<string>;
    findProblems: (text: string, file: string, anchors: Set<string>, exists?: (p: string) => boolean) => Problem[];
    checkTree: () => Problem[];
    SECTION_ANCHORS: Map<string, string[]>;
    FACTS: string;
};

// The old forms are spelled in pieces so that this file is not itself a citation the tree check reports.
const S = "\u00a7";
const API = ["stalwart", "api.md"].join("-");
const OIDC = ["stalwart", "oidc.md"].join("-");
const SHARED = ["..", "shared"].join("/");
const THE_REFERENCES = ["the", "reference's"].join(" ");
const WORK_SHARED = ["", "work", "shared"].join("/");
const DESIGN = ["design", "md"].join(".");
const TOOLCHAIN = ["toolchain", "md"].join(".");
const FACTS_ANCHOR = (anchor: string) => `docs/stalwart-facts.md${"#"}${anchor}`;
const FACTS_TEXT = readFileSync(join(PROJECT_ROOT, citations.FACTS), "utf8");
const HEADINGS = citations.headingAnchors(FACTS_TEXT);

/** Paths other branches were editing when the docs branch landed; the lead runs the rewrite over them after merging. */
const REWRITTEN_AFTER_MERGE = [
    "components/stalwart/",
    "test/support/stalwart/",
    "test/provider/",
    "tools/",
    "scripts/generate-schema.ts",
];

describe("the section map (scripts/rewrite-citations.cjs)", () => {
    it("sends every old section number to headings docs/stalwart-facts.md has", () => {
        for (const [section, anchors] of citations.SECTION_ANCHORS) {
            for (const anchor of anchors) expect(HEADINGS.has(anchor), `${S}${section} → #${anchor}`).toBe(true);
        }
    });

    it("covers every section the code cited, the chapters 1 to 11, and 9.10 apart from 9.1", () => {
        const cited = [
            "1",
            "1.1",
            "1.2",
            "2",
            "3.1",
            "3.2",
            "3.3",
            "4.3",
            "4.4",
            "6",
            "6.3",
            "7",
            "9",
            "9.1",
            "9.8",
            "9.11",
            "9.15",
            "10",
        ];
        const chapters = Array.from({ length: 11 }, (_, i) => String(i + 1));
        for (const n of [...cited, ...chapters]) expect(citations.SECTION_ANCHORS.has(n), `${S}${n}`).toBe(true);
        expect(citations.SECTION_ANCHORS.get("9.10")).toEqual(["domain-dkim"]);
        expect(citations.SECTION_ANCHORS.get("9.1")).toEqual(["domain-dkim"]);
        expect(citations.SECTION_ANCHORS.get("9.11")).toEqual(["accounts"]);
    });

    it("reads anchors the way GitHub makes them, duplicates numbered", () => {
        const page =
            "# A Title\n## set-errors\n```sh\n# a shell comment\n```\n### Set errors!\n## set-errors\nnot # a heading";
        expect([...citations.headingAnchors(page)]).toEqual(["a-title", "set-errors", "set-errors-1", "set-errors-2"]);
    });
});

describe("rewrite", () => {
    const code = (text: string) => citations.rewrite(text, "components/stalwart/x.ts");

    it("turns a named file with a list and a range into one path and its anchors, in order, without repeats", () => {
        expect(code(`// ${API} ${S}3.2–3.3, ${S}9.1, ${S}9.11, ${S}3.3.`)).toBe(
            "// docs/stalwart-facts.md#set-semantics, #set-errors, #domain-dkim, #accounts.",
        );
        expect(code(`(${S}2–4, ${S}10)`)).toBe(
            "(docs/stalwart-facts.md#singletons, #set-semantics, #wire-format, #test-double-checklist)",
        );
    });

    it("rewrites bare sections, `reference §`, the whole file and the OIDC file", () => {
        expect(code(`limit (${S}1.1) and (reference ${S}9.15)`)).toBe(
            "limit (docs/stalwart-facts.md#transport) and (docs/stalwart-facts.md#api-keys)",
        );
        expect(code(`decides (${API}): see docs/${OIDC}`)).toBe(
            "decides (docs/stalwart-facts.md): see docs/stalwart-facts.md#oidc",
        );
        expect(code(`(${SHARED}/docs/${API} ${S}6.3)`)).toBe("(docs/stalwart-facts.md#reload-restart)");
    });

    it("rewrites the phrases that cited the reference without a number", () => {
        expect(code(`each object runs ${THE_REFERENCES} pipeline (resolve → patch)`)).toBe(
            "each object runs Stalwart's pipeline (docs/stalwart-facts.md#set-semantics: resolve → patch)",
        );
        expect(code(`TLDs (${THE_REFERENCES} reserved list).`)).toBe("TLDs (docs/stalwart-facts.md#normalization).");
    });

    it("writes relative Markdown links in docs, from wherever the document sits", () => {
        const text = `table of ${API} ${S}6.3; see ${S}3.3, ${S}10`;
        expect(citations.rewrite(text, "docs/decisions/006-x.md")).toBe(
            "table of [reload-restart](../stalwart-facts.md#reload-restart); see [set-errors](../stalwart-facts.md#set-errors), " +
                "[test-double-checklist](../stalwart-facts.md#test-double-checklist)",
        );
        expect(citations.rewrite(`(${API} ${S}3.3)`, "docs/architecture.md")).toBe(
            "([set-errors](stalwart-facts.md#set-errors))",
        );
        expect(citations.rewrite(`(${API})`, "README.md")).toBe("([stalwart-facts.md](docs/stalwart-facts.md))");
    });

    it("is idempotent and leaves RFC sections, look-alike names and unrelated text alone", () => {
        const text = `a (${S}3.3) b ${API} ${S}6 c\n// RFC 7208 ${S}4.5, RFC 8620, ${S}5.3\nid backend.stalwart-api; drop the reference.`;
        const once = code(text);
        expect(code(once)).toBe(once);
        expect(once).toContain(`RFC 7208 ${S}4.5, RFC 8620, ${S}5.3`);
        expect(once).toContain("id backend.stalwart-api; drop the reference.");
        expect(once).toContain("docs/stalwart-facts.md#health, #reload-restart");
    });

    it("refuses a section number nobody mapped, naming the table to extend", () => {
        expect(() => code(`(${S}12.4)`)).toThrow(
            /12\.4 has no heading in docs\/stalwart-facts\.md; add it to SECTION_ANCHORS/,
        );
    });
});

describe("check", () => {
    const none = () => false;
    const problems = (text: string, file = "components/x.ts", exists = none) =>
        citations.findProblems(text, file, HEADINGS, exists).map((p) => `${p.line}: ${p.why}`);

    it("flags outside paths, outside documents by name, § sections and anchors the facts page lacks, by line", () => {
        const text = [
            `// schema from ${SHARED}/stalwart/schema.json`,
            `// see ${WORK_SHARED}/docs/${DESIGN}`,
            `// (${S}3.3)`,
            `// ${FACTS_ANCHOR("set-errors")}, ${"#"}no-such-heading`,
            `// ${TOOLCHAIN}`,
        ].join("\n");
        expect(problems(text)).toEqual([
            `2: names ${DESIGN}, which is not in the repo`,
            `5: names ${TOOLCHAIN}, which is not in the repo`,
            "1: a path outside the repo",
            "2: a path outside the repo",
            "3: a § section of a document outside the repo",
            "4: docs/stalwart-facts.md has no heading #no-such-heading",
        ]);
    });

    it("lets through an RFC's sections, a document the repo has, and a code string that is only a path", () => {
        expect(problems(`// RFC 7208 ${S}4.5\n// docs/${DESIGN}`, "x.ts", () => true)).toEqual([]);
        expect(problems(`const dir = env ?? resolve(ROOT, "${SHARED}/stalwart");`)).toEqual([]);
        expect(problems(`throw new Error(\`read ${SHARED}/stalwart/x.json: bad\`);`)).toEqual([
            "1: a path outside the repo",
        ]);
        expect(problems(`run "${SHARED}/stalwart"`, "docs/x.md")).toEqual(["1: a path outside the repo"]);
    });

    it("checks the facts page's own links", () => {
        expect(problems("see [transport](#transport) and [gone](#gone)", citations.FACTS)).toEqual([
            "1: docs/stalwart-facts.md has no heading #gone",
        ]);
    });

    it("finds no citation of a file outside the repo anywhere in the tree", () => {
        const found = citations.checkTree();
        const pending = (file: string) => REWRITTEN_AFTER_MERGE.some((p) => file === p || file.startsWith(p));
        const listing = found.map(
            (p) => `${pending(p.file) ? "[rewritten after merge] " : ""}${p.file}:${p.line}: ${p.why}`,
        );
        expect(
            listing,
            [
                "Citations of files outside the repo (or of missing headings) remain (listed below).",
                "Run `node scripts/rewrite-citations.cjs`: it rewrites the old section forms everywhere. The docs branch",
                `left ${REWRITTEN_AFTER_MERGE.join(", ")} to be rewritten once the branches editing them are merged.`,
                "Anything the script cannot map: cite docs/stalwart-facts.md#<heading> or https://stalw.art/docs instead.",
            ].join("\n"),
        ).toEqual([]);
    });
});
