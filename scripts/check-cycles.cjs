// `npm test`'s import-cycle gate: every relative import (type-only ones too: a cycle of types is
// still two rooms that cannot be read apart) among the product's own files, resolved the way
// TypeScript resolves them, must form no cycle. Prints each cycle found and exits 1.
// TypeScript's own preProcessFile does the parsing, so no second parser or dependency is needed.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const root = path.join(__dirname, "..");
const ROOTS = ["index.ts", "components", "scripts", "tools"];

function sourceFiles(entry) {
    const full = path.join(root, entry);
    if (!fs.existsSync(full)) return [];
    if (fs.statSync(full).isFile()) return full.endsWith(".ts") ? [full] : [];
    return fs.readdirSync(full).flatMap((name) => sourceFiles(path.join(entry, name)));
}

function resolveImport(from, spec) {
    if (!spec.startsWith(".")) return undefined;
    const base = path.resolve(path.dirname(from), spec);
    return [`${base}.ts`, path.join(base, "index.ts"), base].find((f) => f.endsWith(".ts") && fs.existsSync(f));
}

/** file → the product files it imports */
function importGraph(files) {
    const graph = new Map();
    for (const file of files) {
        const { importedFiles } = ts.preProcessFile(fs.readFileSync(file, "utf8"), true, true);
        const targets = importedFiles.map((i) => resolveImport(file, i.fileName)).filter(Boolean);
        graph.set(file, [...new Set(targets)]);
    }
    return graph;
}

/** Tarjan's strongly connected components; each component of more than one file is a cycle. */
function cycles(graph) {
    let index = 0;
    const stack = [];
    const meta = new Map();
    const found = [];
    const visit = (v) => {
        meta.set(v, { index, low: index, onStack: true });
        index += 1;
        stack.push(v);
        for (const w of graph.get(v) ?? []) {
            if (!meta.has(w)) {
                visit(w);
                meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
            } else if (meta.get(w).onStack) {
                meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
            }
        }
        if (meta.get(v).low === meta.get(v).index) {
            const component = [];
            let w;
            do {
                w = stack.pop();
                meta.get(w).onStack = false;
                component.push(w);
            } while (w !== v);
            const selfLoop = (graph.get(v) ?? []).includes(v);
            if (component.length > 1 || selfLoop) found.push(component);
        }
    };
    for (const v of graph.keys()) if (!meta.has(v)) visit(v);
    return found;
}

function main() {
    const files = ROOTS.flatMap(sourceFiles);
    const found = cycles(importGraph(files));
    for (const c of found) {
        console.error(
            `import cycle: ${c
                .map((f) => path.relative(root, f))
                .sort()
                .join(" ↔ ")}`,
        );
    }
    if (found.length > 0) {
        console.error(
            `${found.length} import cycle(s); move the shared fact into a module both sides import (e.g. components/topology.ts)`,
        );
        process.exit(1);
    }
    console.log(`no import cycles among ${files.length} files`);
}

if (require.main === module) main();
module.exports = { cycles, importGraph };
