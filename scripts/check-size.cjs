// `npm test`'s size gate: a hand-written file over 400 lines of code, or a function over 80, is a sign
// that two rooms (or two jobs) share one. Lines of code: blank lines and comment-only lines aside, so
// a comment saying why never pushes a file over. Generated code is exempt. Uses TypeScript's parser.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const root = path.join(__dirname, "..");
const ROOTS = ["index.ts", "components", "scripts", "tools", "policy"];
const EXEMPT = [/components\/stalwart\/generated\//, /node_modules\//, /\/dist\//];
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 80;

/** Line numbers (0-based) that hold code: not blank, not only a comment. */
function codeLines(text) {
    const lines = new Set();
    const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
    let line = 0;
    let pos = 0;
    const lineAt = (p) => {
        while (pos < p) {
            if (text.charCodeAt(pos) === 10) line += 1;
            pos += 1;
        }
        return line;
    };
    for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
        if (kind === ts.SyntaxKind.NewLineTrivia || kind === ts.SyntaxKind.WhitespaceTrivia) continue;
        if (kind === ts.SyntaxKind.SingleLineCommentTrivia || kind === ts.SyntaxKind.MultiLineCommentTrivia) continue;
        const start = lineAt(scanner.getTokenStart());
        const end = lineAt(scanner.getTokenEnd());
        for (let l = start; l <= end; l++) lines.add(l);
    }
    return lines;
}

const countIn = (lines, from, to) => {
    let n = 0;
    for (let l = from; l <= to; l++) if (lines.has(l)) n += 1;
    return n;
};

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
    const code = codeLines(text);
    const spans = [];
    const isFunction = (node) => ts.isFunctionLike(node) && "body" in node && node.body;
    const nestedLines = (node) => {
        let lines = 0;
        const walk = (child) => {
            if (isFunction(child)) lines += countIn(code, lineOf(child.getStart(sf)), lineOf(child.getEnd()));
            else ts.forEachChild(child, walk);
        };
        ts.forEachChild(node.body, walk);
        return lines;
    };
    const visit = (node) => {
        if (isFunction(node)) {
            const start = lineOf(node.getStart(sf));
            const total = countIn(code, start, lineOf(node.getEnd()));
            const name =
                node.name && ts.isIdentifier(node.name)
                    ? node.name.text
                    : ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name)
                      ? node.parent.name.text
                      : "(anonymous)";
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
        const lines = codeLines(text).size;
        if (lines > MAX_FILE_LINES)
            out.push(`${rel}: ${lines} lines of code (over ${MAX_FILE_LINES}); split it by what it holds`);
        for (const f of functionSpans(file, text)) {
            if (f.lines > MAX_FUNCTION_LINES)
                out.push(
                    `${rel}:${f.start} ${f.name}: ${f.lines} lines of code (over ${MAX_FUNCTION_LINES}); split it into named steps`,
                );
        }
    }
    return out;
}

if (require.main === module) {
    const found = findings();
    for (const f of found) console.error(f);
    if (found.length > 0 && !process.argv.includes("--report")) process.exit(1);
    console.log(
        found.length === 0 ? "every hand-written file and function is within its size" : `${found.length} over size`,
    );
}
module.exports = { functionSpans, findings, MAX_FILE_LINES, MAX_FUNCTION_LINES };
