// `npm test`'s size gate: a hand-written file over 400 lines, or a function over 80, is a sign that
// two rooms (or two jobs) share one. Generated code is exempt. Uses TypeScript's own parser.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const root = path.join(__dirname, "..");
const ROOTS = ["index.ts", "components", "scripts", "tools", "policy"];
const EXEMPT = [/components\/stalwart\/generated\//, /node_modules\//, /\/dist\//];
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

function sourceFiles(entry) {
    const full = path.join(root, entry);
    if (!fs.existsSync(full) || EXEMPT.some((re) => re.test(`${entry}/`))) return [];
    if (fs.statSync(full).isFile()) return /\.(ts|cjs)$/.test(full) ? [full] : [];
    return fs.readdirSync(full).flatMap((name) => sourceFiles(path.join(entry, name)));
}

/**
 * Every function-like node's name and its own length: its lines less those of the functions nested
 * in it, so a factory that returns small methods is measured by its own code, not by theirs.
 */
function functionSpans(file, text) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const lineOf = (pos) => sf.getLineAndCharacterOfPosition(pos).line;
    const spans = [];
    const isFunction = (node) => ts.isFunctionLike(node) && "body" in node && node.body;
    const nestedLines = (node) => {
        let lines = 0;
        const walk = (child) => {
            if (isFunction(child)) lines += lineOf(child.getEnd()) - lineOf(child.getStart(sf)) + 1;
            else ts.forEachChild(child, walk);
        };
        ts.forEachChild(node.body, walk);
        return lines;
    };
    const visit = (node) => {
        if (isFunction(node)) {
            const start = lineOf(node.getStart(sf));
            const total = lineOf(node.getEnd()) - start + 1;
            const name = node.name && ts.isIdentifier(node.name) ? node.name.text : ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) ? node.parent.name.text : "(anonymous)";
            spans.push({ name, start: start + 1, lines: total - nestedLines(node) });
        }
        ts.forEachChild(node, visit);
    };
    visit(sf);
    return spans;
}

function findings() {
    const out = [];
    for (const file of ROOTS.flatMap(sourceFiles)) {
        const text = fs.readFileSync(file, "utf8");
        const rel = path.relative(root, file);
        const lines = text.split("\n").length;
        if (lines > MAX_FILE_LINES) out.push(`${rel}: ${lines} lines (over ${MAX_FILE_LINES}); split it by what it holds`);
        for (const f of functionSpans(file, text)) {
            if (f.lines > MAX_FUNCTION_LINES) out.push(`${rel}:${f.start} ${f.name}: ${f.lines} lines (over ${MAX_FUNCTION_LINES}); split it into named steps`);
        }
    }
    return out;
}

if (require.main === module) {
    const found = findings();
    for (const f of found) console.error(f);
    if (found.length > 0 && !process.argv.includes("--report")) process.exit(1);
    console.log(found.length === 0 ? "every hand-written file and function is within its size" : `${found.length} over size`);
}
module.exports = { functionSpans, findings, MAX_FILE_LINES, MAX_FUNCTION_LINES };
