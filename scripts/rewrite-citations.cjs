// Citations of Stalwart's behaviour point into docs/stalwart-facts.md, never at a document outside the repo.
//
//   node scripts/rewrite-citations.cjs [path…]   rewrites the old citation forms in place (the whole tree, or the
//                                                files and folders named): `stalwart-api.md §3.3`, a bare `§3.3`,
//                                                `reference §3.2`, `stalwart-oidc.md` and a few "the reference" phrases
//                                                become `docs/stalwart-facts.md#<heading>` (a relative link in Markdown).
//                                                Idempotent: a second run changes nothing.
//   node scripts/rewrite-citations.cjs --check   exits 1 listing, by file and line, every citation of a file outside
//                                                the repo (`../shared`, an outside document's name, a `§` that is not
//                                                an RFC's) and every `stalwart-facts.md#x` whose heading is missing.
//
// test/unit/citations.test.ts runs the check over the tree, so `npm test` fails on a new outside citation.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.join(__dirname, "..");
const FACTS = "docs/stalwart-facts.md";
const SELF = "scripts/rewrite-citations.cjs";
/** Never rewritten: generated from Stalwart's schema (regenerate instead), the page itself, and the test whose samples
 *  are the old forms on purpose. The check still reads all three. */
const NOT_REWRITTEN = ["components/stalwart/generated/", FACTS, "test/unit/citations.test.ts"];
const EXTENSIONS = new Set([".ts", ".mts", ".cts", ".js", ".cjs", ".mjs", ".md", ".yaml", ".yml"]);
const SKIP_DIRS = new Set(["node_modules", "bin", "dist", "coverage", "scratch"]);
/** Hidden folders worth reading (CI scripts); every other dot-folder (.git, caches) is skipped. */
const HIDDEN_DIRS = new Set([".ci", ".github"]);

/** The old reference's section numbers (as written: "9.10" is not "9.1") → headings of docs/stalwart-facts.md. */
const SECTION_ANCHORS = new Map(
    Object.entries({
        1: ["transport"],
        1.1: ["transport"],
        1.2: ["account-scope"],
        1.3: ["authentication"],
        1.4: ["recovery-admin"],
        2: ["singletons"],
        3: ["set-semantics"],
        3.1: ["get-semantics"],
        3.2: ["set-semantics"],
        3.3: ["set-errors"],
        3.4: ["get-semantics"],
        4: ["wire-format"],
        4.1: ["schema-endpoint"],
        4.2: ["update-modes"],
        4.3: ["field-defaults"],
        4.4: ["normalization"],
        4.5: ["secrets"],
        5: ["datastore-file"],
        5.1: ["datastore-file"],
        5.2: ["datastore-file"],
        5.3: ["datastore-file"],
        6: ["health", "reload-restart"],
        6.1: ["health"],
        6.2: ["health"],
        6.3: ["reload-restart"],
        6.4: ["reload-restart"],
        7: ["schema-endpoint"],
        8: ["first-boot-defaults"],
        8.1: ["container-image"],
        8.2: ["first-boot-defaults"],
        9: ["objects"],
        9.1: ["domain-dkim"],
        9.2: ["system-settings"],
        9.3: ["datastore-file"],
        9.4: ["stores-tracer"],
        9.5: ["stores-tracer"],
        9.6: ["stores-tracer"],
        9.7: ["listeners"],
        9.8: ["acme"],
        9.9: ["acme"],
        "9.10": ["domain-dkim"],
        9.11: ["accounts"],
        9.12: ["directory-oidc"],
        9.13: ["directory-oidc"],
        9.14: ["objects"],
        9.15: ["api-keys"],
        9.16: ["objects"],
        9.17: ["stores-tracer"],
        10: ["test-double-checklist"],
        11: ["upstream-differences"],
    }),
);

/** Phrases that cited the old reference without a section number → what they say now (`{}` = the citation). */
const PHRASES = [
    ["docs/stalwart-api.md including its traps", "{} (traps included)", ["test-double-checklist"]],
    ["Follows the reference's normalization rules:", "Follows Stalwart's normalization rules ({}):", ["normalization"]],
    ["(the reference's reserved list)", "({})", ["normalization"]],
    ["Default construction follows the reference:", "Default construction follows Stalwart ({}):", ["field-defaults"]],
    ["runs the reference's pipeline (", "runs Stalwart's pipeline ({}: ", ["set-semantics"]],
    ["as the reference does", "as the example in {} does", ["reload-restart"]],
];

const NUM = String.raw`\d+(?:\.\d+)?`;
const REF = String.raw`${NUM}(?:\s*[–-]\s*${NUM})?`;
/** an RFC's own sections (`RFC 7208 §4.5`) are not the old reference */
const NOT_RFC = String.raw`(?<!RFC\s?\d+,?\s?)`;
const SECTION_GROUP = new RegExp(
    String.raw`${NOT_RFC}(?:(?:(?:\.\.\/|\/work\/)shared\/)?(?:docs\/)?stalwart-api\.md\s+|\breference\s+)?§(${REF}(?:\s*,\s*§${REF})*)`,
    "g",
);
const API_FILE = /(?:(?:\.\.\/|\/work\/)shared\/)?(?:docs\/)?stalwart-api\.md/g;
const OIDC_FILE = /(?:(?:\.\.\/|\/work\/)shared\/)?(?:docs\/)?stalwart-oidc\.md/g;

/** The section numbers a reference spans: `3.3`, `3.2–3.3` (3.2, 3.3), `2–4` (2, 3, 4). */
function sectionsIn(ref) {
    const [from, to] = ref.split(/\s*[–-]\s*/);
    if (!to) return [from];
    const [[fMajor, fMinor], [tMajor, tMinor]] = [from, to].map((n) => n.split(".").map(Number));
    const range = (a, b, name) => Array.from({ length: Math.max(b - a + 1, 0) }, (_, i) => name(a + i));
    if (fMinor === undefined && tMinor === undefined) return range(fMajor, tMajor, String);
    if (fMinor !== undefined && tMinor !== undefined && fMajor === tMajor)
        return range(fMinor, tMinor, (m) => `${fMajor}.${m}`);
    return [from, to];
}

/** The headings a section reference stands for; throws on a number nobody mapped. */
function anchorsFor(ref) {
    return sectionsIn(ref).flatMap((n) => {
        const anchors = SECTION_ANCHORS.get(n);
        if (!anchors) throw new Error(`§${n} has no heading in ${FACTS}; add it to SECTION_ANCHORS in ${SELF}`);
        return anchors;
    });
}

/** How a file cites headings: a path and anchors in code, relative links in Markdown. */
function citation(anchors, file) {
    const unique = [...new Set(anchors)];
    if (!file.endsWith(".md")) {
        return unique.length ? `${FACTS}#${unique.join(", #")}` : FACTS;
    }
    const rel = path.posix.relative(path.posix.dirname(file), FACTS) || path.posix.basename(FACTS);
    if (!unique.length) return `[${path.posix.basename(FACTS)}](${rel})`;
    return unique.map((a) => `[${a}](${rel}#${a})`).join(", ");
}

/** `text` with every old citation in the file `file` (repo-relative, `/`-separated) rewritten. */
function rewrite(text, file) {
    let out = text;
    for (const [phrase, replacement, anchors] of PHRASES) {
        out = out.split(phrase).join(replacement.replace("{}", citation(anchors, file)));
    }
    out = out.replace(SECTION_GROUP, (_, list) => {
        const refs = list.split(/\s*,\s*§/);
        return citation(refs.flatMap(anchorsFor), file);
    });
    out = out.replace(OIDC_FILE, () => citation(["oidc"], file));
    return out.replace(API_FILE, () => citation([], file));
}

/** GitHub's anchors for the headings of a Markdown text (lower-cased, punctuation dropped, spaces → `-`; code aside). */
function headingAnchors(markdown) {
    const seen = new Map();
    const anchors = new Set();
    let fenced = false;
    for (const line of markdown.split("\n")) {
        if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
        const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
        if (!m) continue;
        const base = m[1]
            .toLowerCase()
            .replace(/[^\p{L}\p{N}\s_-]/gu, "")
            .replace(/\s/g, "-");
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        anchors.add(n ? `${base}-${n}` : base);
    }
    return anchors;
}

const OUTSIDE_DOCS = new Set(["stalwart-api.md", "stalwart-oidc.md", "design.md", "toolchain.md", "ecosystem.md"]);
const OUTSIDE_PATH = /(?:\.\.\/)+shared\b|\/work\/shared\b|(?<![\w./-])shared\/(?:docs|stalwart)\//g;
const SECTION_MARK = new RegExp(String.raw`${NOT_RFC}§\s?\d`, "g");
const FACTS_LINK = /stalwart-facts\.md#([\w-]+)((?:,\s*#[\w-]+)*)/g;
const LOCAL_LINK = /\]\(#([\w-]+)\)/g;

/**
 * A whole string literal in code that is only a path (`"../shared/stalwart"`) is a location the program reads, not a
 * citation: the schema tools' optional upstream directory. Prose, comments and messages naming it are citations.
 */
function isPathLiteral(text, index, file) {
    if (file.endsWith(".md")) return false;
    const quote = text[index - 1];
    if (!quote || !`"'\``.includes(quote)) return false;
    const run = /^[\w./-]*/.exec(text.slice(index))[0];
    return text[index + run.length] === quote;
}

/** Outside citations and dangling anchors in one file: `{file, line, text, why}` each. */
function findProblems(text, file, factsAnchors, exists = (p) => fs.existsSync(path.join(ROOT, p))) {
    const found = [];
    const lineOf = (i) => text.slice(0, i).split("\n").length;
    const add = (i, why) => {
        const line = lineOf(i);
        found.push({ file, line, text: text.split("\n")[line - 1].trim(), why });
    };
    for (const m of text.matchAll(/[\w./-]*\.md\b/g)) {
        if (!OUTSIDE_DOCS.has(path.posix.basename(m[0]))) continue;
        const here = path.posix.join(path.posix.dirname(file), m[0]);
        if (!exists(m[0]) && !exists(here))
            add(m.index, `names ${path.posix.basename(m[0])}, which is not in the repo`);
    }
    for (const m of text.matchAll(OUTSIDE_PATH)) {
        if (!isPathLiteral(text, m.index, file)) add(m.index, "a path outside the repo");
    }
    for (const m of text.matchAll(SECTION_MARK)) add(m.index, "a § section of a document outside the repo");
    const dangling = (anchor, i) => {
        if (!factsAnchors.has(anchor)) add(i, `${FACTS} has no heading #${anchor}`);
    };
    for (const m of text.matchAll(FACTS_LINK)) {
        dangling(m[1], m.index);
        for (const more of m[2].matchAll(/#([\w-]+)/g)) dangling(more[1], m.index);
    }
    if (file === FACTS) for (const m of text.matchAll(LOCAL_LINK)) dangling(m[1], m.index);
    return found;
}

/** Repo-relative paths (`/`-separated) of the text files under `entry`. */
function listFiles(entry = ".") {
    const full = path.join(ROOT, entry);
    if (!fs.existsSync(full)) throw new Error(`${entry}: no such file or folder in ${ROOT}`);
    if (fs.statSync(full).isFile()) return [path.posix.normalize(entry.split(path.sep).join("/"))];
    return fs.readdirSync(full, { withFileTypes: true }).flatMap((d) => {
        const rel = path.posix.join(entry.split(path.sep).join("/"), d.name);
        if (d.isDirectory()) {
            if (SKIP_DIRS.has(d.name) || (d.name.startsWith(".") && !HIDDEN_DIRS.has(d.name))) return [];
            return listFiles(rel);
        }
        const wanted = EXTENSIONS.has(path.extname(d.name)) || rel.startsWith(".ci/");
        return d.isFile() && wanted ? [rel] : [];
    });
}

/** Every problem in the tree, one entry per file and line (this script aside: it must name the old forms). */
function checkTree() {
    const factsAnchors = headingAnchors(fs.readFileSync(path.join(ROOT, FACTS), "utf8"));
    const byLine = new Map();
    for (const f of listFiles().filter((f) => f !== SELF)) {
        for (const p of findProblems(fs.readFileSync(path.join(ROOT, f), "utf8"), f, factsAnchors)) {
            const key = `${p.file}:${p.line}`;
            const seen = byLine.get(key);
            if (!seen) byLine.set(key, p);
            else if (!seen.why.includes(p.why)) seen.why += `; ${p.why}`;
        }
    }
    return [...byLine.values()];
}

/** Rewrites the files under `entries`; returns the ones changed. */
function rewriteTree(entries = ["."]) {
    const files = entries.flatMap((e) => listFiles(e));
    const changed = [];
    for (const f of files) {
        if (f === SELF || NOT_REWRITTEN.some((p) => f === p || f.startsWith(p))) continue;
        const before = fs.readFileSync(path.join(ROOT, f), "utf8");
        const after = rewrite(before, f);
        if (after !== before) {
            fs.writeFileSync(path.join(ROOT, f), after);
            changed.push(f);
        }
    }
    return changed;
}

function main(args) {
    if (args.includes("--check")) {
        const problems = checkTree();
        for (const p of problems) console.error(`${p.file}:${p.line}: ${p.why}: ${p.text}`);
        if (problems.length) {
            console.error(
                `${problems.length} citation(s) of files outside the repo or of missing headings. ` +
                    `Run \`node ${SELF}\` for the old forms; cite ${FACTS}#<heading> or https://stalw.art/docs otherwise.`,
            );
            process.exit(1);
        }
        console.log(`no citation of a file outside the repo; every ${FACTS} anchor exists`);
        return;
    }
    const changed = rewriteTree(args.length ? args : ["."]);
    for (const f of changed) console.log(`rewrote ${f}`);
    console.log(`${changed.length} file(s) rewritten`);
}

if (require.main === module) main(process.argv.slice(2));
module.exports = {
    rewrite,
    anchorsFor,
    citation,
    headingAnchors,
    findProblems,
    checkTree,
    listFiles,
    SECTION_ANCHORS,
    FACTS,
};
