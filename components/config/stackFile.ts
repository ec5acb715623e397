/**
 * Reading Pulumi.<stack>.yaml without the engine (`npm run plan`): the `config:` map, or one clean
 * problem with the file, line and column. Duplicate keys, tab indentation, an unterminated quote,
 * several documents and an alias bomb are each refused with the fix, never a stack trace.
 */
import { isAlias, isMap, LineCounter, parseAllDocuments, visit, type Document, type YAMLError } from "yaml";
import { clip } from "./mask";

/** More aliases than any stack file needs: the `yaml` package stops expanding there (a billion-laughs guard). */
export const MAX_ALIASES = 100;

export class StackFileError extends Error {
    constructor(
        readonly file: string,
        readonly line: number,
        readonly column: number,
        readonly problem: string,
    ) {
        super(`${file}:${line}:${column}: ${problem}`);
        this.name = "StackFileError";
    }
}

/** The fix for each kind of YAML error a hand-edited stack file shows. */
function explain(error: YAMLError, text: string): string {
    const start = error.pos[0];
    const what = error.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
    switch (error.code) {
        case "DUPLICATE_KEY":
            return `the key ${clip(JSON.stringify(/^(?:[^:\n]|:(?=[^\s]))*/.exec(text.slice(start))![0].trim()))} appears twice in one mapping; keep one entry (only one would be read)`;
        case "TAB_AS_INDENT":
            return "a tab indents this line; YAML indents with spaces only, so replace the tab with spaces";
        case "MISSING_CHAR":
            return /quote/i.test(what)
                ? "a quoted value is never closed before this point; add the closing quote where the value ends"
                : `${what}; fix the YAML syntax`;
        default:
            return `${what}; fix the YAML syntax (pulumi config set writes valid entries)`;
    }
}

const at = (lines: LineCounter, offset: number) => lines.linePos(offset);

function firstAliasOffset(doc: Document): number {
    let offset = 0;
    visit(doc, {
        Alias(_, node) {
            offset = node.range?.[0] ?? 0;
            return visit.BREAK;
        },
    });
    return offset;
}

/** The document's content as plain data, with aliases expanded up to MAX_ALIASES. */
function toData(doc: Document, file: string, lines: LineCounter): unknown {
    try {
        return doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
        const { line, col } = at(lines, firstAliasOffset(doc));
        const alias = isAlias(doc.contents) || /alias/i.test((e as Error).message);
        throw new StackFileError(
            file,
            line,
            col,
            alias
                ? `the YAML aliases expand past ${MAX_ALIASES} values (an alias bomb); write the values out instead of *aliases`
                : `${(e as Error).message}; fix the YAML`,
        );
    }
}

/** The `config:` map of a stack file's text, or a StackFileError naming file, line, column and fix. */
export function parseStackFile(text: string, file: string): Record<string, unknown> {
    const lines = new LineCounter();
    const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true, lineCounter: lines });
    const all = Array.isArray(docs) ? docs : [];
    const error = all.flatMap((d) => d.errors)[0];
    if (error) {
        const { line, col } = error.linePos?.[0] ?? at(lines, error.pos[0]);
        throw new StackFileError(file, line, col, explain(error, text));
    }
    if (all.length > 1) {
        const { line, col } = at(lines, all[1]!.range[0]);
        throw new StackFileError(
            file,
            line,
            col,
            `the file holds ${all.length} YAML documents; a stack file is one: remove the "---" and merge the config: sections`,
        );
    }
    const doc = all[0];
    if (!doc || doc.contents === null) return {};
    if (!isMap(doc.contents)) {
        const { line, col } = at(lines, doc.contents.range?.[0] ?? 0);
        throw new StackFileError(
            file,
            line,
            col,
            "the file is not a YAML mapping; a stack file starts with config: and its keys under it",
        );
    }
    const data = toData(doc, file, lines) as { config?: unknown };
    const config = data.config;
    if (config === undefined || config === null) return {};
    if (typeof config !== "object" || Array.isArray(config)) {
        const node = doc.contents.items.find((p) => (p.key as { value?: unknown } | null)?.value === "config");
        const { line, col } = at(lines, (node?.value as { range?: [number] } | null)?.range?.[0] ?? 0);
        throw new StackFileError(
            file,
            line,
            col,
            "config: is not a mapping; write each key on its own line under it, e.g. `  tailwart:domain: example.com`",
        );
    }
    return config as Record<string, unknown>;
}
