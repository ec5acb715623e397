/**
 * Reads the BIND zone text Stalwart computes for a domain (x:Domain.dnsZoneFile) into records with
 * absolute owner names: $ORIGIN, `@`, relative names, a blank owner (the previous one), optional
 * TTL and class in either order, parentheses across lines, quoted TXT strings and `;` comments.
 */

export interface ZoneRecord {
    /** absolute, lower case, without the trailing dot */
    name: string;
    type: string;
    /** MX: "<priority> <exchange>" with an absolute exchange; TXT: the strings joined; others as written */
    data: string;
}

/**
 * One physical line without its comment, parentheses outside quotes turned into spaces, and how
 * far they nest (+1 per "(", -1 per ")").
 */
function strip(raw: string): { content: string; depth: number } {
    let content = "";
    let depth = 0;
    let quoted = false;
    for (let i = 0; i < raw.length; i++) {
        const c = raw[i]!;
        if (quoted) {
            content += c;
            if (c === "\\" && i + 1 < raw.length) content += raw[++i];
            else if (c === '"') quoted = false;
        } else if (c === ";") break;
        else if (c === "(" || c === ")") {
            depth += c === "(" ? 1 : -1;
            content += " ";
        } else {
            if (c === '"') quoted = true;
            content += c;
        }
    }
    return { content, depth };
}

/** Whitespace-separated tokens; a quoted string (quotes kept) is one token. */
const tokens = (content: string): string[] => content.match(/"(?:[^"\\]|\\.)*"|[^\s"]+/g) ?? [];

/** Logical lines: parenthesized continuations joined; whether each began with an owner name. */
function logicalLines(text: string): { owner: boolean; tokens: string[] }[] {
    const out: { owner: boolean; tokens: string[] }[] = [];
    let open: { owner: boolean; tokens: string[] } | undefined;
    let depth = 0;
    for (const raw of text.split(/\r?\n/)) {
        const { content, depth: change } = strip(raw);
        const t = tokens(content);
        if (open) open.tokens.push(...t);
        else if (t.length > 0) {
            open = { owner: !/^\s/.test(raw), tokens: t };
            out.push(open);
        }
        depth += change;
        if (depth <= 0) {
            depth = 0;
            open = undefined;
        }
    }
    return out;
}

const unquote = (tok: string) => (tok.startsWith('"') ? tok.slice(1, -1).replace(/\\(.)/g, "$1") : tok);

function absolute(name: string, origin: string): string {
    if (name === "@") return origin;
    if (name.endsWith(".")) return name.slice(0, -1).toLowerCase();
    return `${name}.${origin}`.toLowerCase();
}

const CLASSES = new Set(["IN", "CH", "HS", "CS"]);

export function parseZoneFile(text: string, defaultOrigin: string): ZoneRecord[] {
    let origin = defaultOrigin.replace(/\.$/, "").toLowerCase();
    let owner = origin;
    const records: ZoneRecord[] = [];
    for (const line of logicalLines(text)) {
        const t = [...line.tokens];
        if (t[0]?.toUpperCase() === "$ORIGIN") {
            origin = absolute(t[1] ?? origin, origin);
            continue;
        }
        if (t[0]?.startsWith("$")) continue; // $TTL, $INCLUDE: nothing the doctor compares
        if (line.owner) owner = absolute(t.shift()!, origin);
        while (t.length > 0 && (/^\d+[smhdw]?$/i.test(t[0]!) || CLASSES.has(t[0]!.toUpperCase()))) t.shift();
        const type = t.shift()?.toUpperCase();
        if (!type) continue;
        let data: string;
        if (type === "TXT") data = t.map(unquote).join("");
        else if (type === "MX") data = `${t[0] ?? ""} ${absolute(t[1] ?? "@", origin)}`;
        else data = t.join(" ");
        records.push({ name: owner, type, data });
    }
    return records;
}
