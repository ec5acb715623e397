/**
 * check(): validate resource properties against the generated descriptors and normalize them into
 * the wire encoding the server returns (sets `{k:true}`, lists `{"0":…}`, durations in ms, lower-cased
 * emails and local parts, domain names as lower-case IDNA A-labels), so diffs compare like with like.
 * Failures carry their property path. Pure apart from `require("node:url")` inside a function: the
 * provider bundles it; the preview sentinel is passed through, never rejected.
 */
import { isSecretField } from "./schema/secrets";
import type { ElementDescriptor, FieldDescriptor, ObjectSchemaSubset } from "./schema/types";
import { shown } from "./errors";

/** What the engine sends for a value that is not known yet (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Failure {
    property: string;
    reason: string;
}

type Field = ElementDescriptor & Partial<FieldDescriptor>;
type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

export { isSecretField };

/** The engine's secret envelope: `{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value}`. */
export const sealed = (v: unknown): v is { value: unknown } =>
    isObj(v) && v["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270";

/** `v` with every secret envelope, at any depth, replaced by the value inside it. */
// Typed as its input: an envelope stands in the place of the value it wraps.
export const unwrap = <T>(v: T): T =>
    (sealed(v)
        ? unwrap(v.value)
        : Array.isArray(v)
          ? v.map(unwrap)
          : isObj(v)
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrap(x)]))
            : v) as T;

/** The fields of a schema, for a variant schema those of the variant `@type` names (undefined if unknown). */
export function fieldsOf(
    subset: ObjectSchemaSubset,
    schemaName: string,
    type?: unknown,
): Record<string, FieldDescriptor> | undefined {
    const schema = subset.schemas[schemaName];
    if (!schema) return undefined;
    if (!("variants" in schema)) return schema.fields;
    if (typeof type !== "string" || !(type in schema.variants)) return undefined;
    const target = schema.variants[type];
    return target ? fieldsOf(subset, target) : {};
}

/**
 * How Stalwart rewrites a stored string (docs/stalwart-facts.md#normalization): `domain` = whitespace stripped,
 * IDNA A-label, lower-cased; `lower` = trimmed and lower-cased (local parts). Applies to the field's
 * whole value (a set's members too). Emails (format emailAddress) are lower-cased wherever they are.
 */
export type StringRule = "domain" | "lower";

const LOCAL_PART: Readonly<Record<string, StringRule>> = { name: "lower" };

/**
 * Schema (as a field or the object names it, before a variant is picked: x:Account covers User and
 * Group) → field → rule. x:EmailAlias is the element of x:Account and x:MailingList `aliases`.
 */
export const STRING_RULES: Readonly<Record<string, Readonly<Record<string, StringRule>>>> = {
    "x:Domain": { name: "domain", aliases: "domain" },
    "x:Account": LOCAL_PART,
    "x:MailingList": LOCAL_PART,
    "x:EmailAlias": LOCAL_PART,
};

/**
 * A domain name as Stalwart stores it: whitespace removed, Unicode labels to punycode A-labels,
 * lower-cased (WHATWG domainToASCII, which is UTS #46 processing); undefined when it is not a
 * valid domain name. `node:url` is required here, not at module scope, so the bundled provider can use it.
 */
export function normalizeDomainName(name: string): string | undefined {
    const { domainToASCII } = require("node:url") as typeof import("node:url");
    const ascii = domainToASCII(name.replace(/\s+/g, ""));
    return ascii ? ascii.toLowerCase() : undefined;
}

export const variantsOf = (subset: ObjectSchemaSubset, schemaName: string): string[] | undefined => {
    const schema = subset.schemas[schemaName];
    return schema && "variants" in schema ? Object.keys(schema.variants) : undefined;
};

/** Closest candidate by edit distance (a prefix counts as 1), for "did you mean" hints. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
    let best: string | undefined;
    let bestScore = Math.max(2, Math.floor(word.length / 3)) + 1;
    const a = word.toLowerCase();
    for (const c of candidates) {
        const b = c.toLowerCase();
        let row = Array.from({ length: b.length + 1 }, (_, j) => j);
        for (let i = 1; i <= a.length; i++) {
            const next = [i];
            for (let j = 1; j <= b.length; j++)
                next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
            row = next;
        }
        const score = b.startsWith(a) || a.startsWith(b) ? Math.min(row[b.length]!, 1) : row[b.length]!;
        if (score < bestScore) [best, bestScore] = [c, score];
    }
    return best;
}

const hint = (word: string, candidates: Iterable<string>) => {
    const c = closest(word, candidates);
    return c ? ` (did you mean "${c}"?)` : "";
};

const UNIT_MS: Record<string, number> = { ms: 1, s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

/** "30s", "1h30m", "500ms", "2d" or "1500" → milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
    const s = text.trim();
    if (/^\d+$/.test(s)) return Number(s);
    const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gy;
    let total = 0;
    let end = 0;
    for (let m = re.exec(s); m; m = re.exec(s)) {
        total += Number(m[1]) * UNIT_MS[m[2]!]!;
        end = re.lastIndex;
        while (s[re.lastIndex] === " ") re.lastIndex++;
    }
    return end > 0 && end === s.length ? Math.round(total) : undefined;
}

interface Ctx {
    subset: ObjectSchemaSubset;
    failures: Failure[];
    /** how strings under the current field are rewritten by the server (STRING_RULES, or CheckOptions.lowercase) */
    rule?: StringRule;
    /** top-level properties lower-cased as a whole (CheckOptions.lowercase) */
    lowercase: readonly string[];
    /** inside a secret field or an envelope: failure reasons never show the value */
    hide?: boolean;
}

/** `, got <value>` for a failure reason, or nothing when the value is secret (the reason then says only what was expected). */
const got = (ctx: Ctx, v: unknown, sep = ", got ") => (ctx.hide ? "" : `${sep}${shown(v)}`);
/** The value inside envelopes, with a ctx that hides it. */
const open = (ctx: Ctx, v: unknown): [Ctx, unknown] => (sealed(v) ? open({ ...ctx, hide: true }, v.value) : [ctx, v]);

/** `a.b`: a failure path one property down. */
const join = (path: string, k: string) => (path ? `${path}.${k}` : k);
const fail = (ctx: Ctx, path: string, reason: string) => {
    ctx.failures.push({ property: path, reason });
};
/** Records a failure and hands the value back unchanged. */
const bad = (ctx: Ctx, path: string, reason: string, v: unknown) => {
    fail(ctx, path, reason);
    return v;
};

/** A string, number, boolean, enum, date or id, already out of its envelopes (value() calls it; map keys are plain strings). */
function scalar(ctx: Ctx, f: Field, v: unknown, path: string): unknown {
    switch (f.kind) {
        case "string": {
            if (typeof v !== "string") return bad(ctx, path, `expected a string${got(ctx, v)}`, v);
            if (v === "")
                return bad(
                    ctx,
                    path,
                    `empty strings are rejected by Stalwart${f.nullable ? "; use null to clear it" : ""}`,
                    v,
                );
            if (isSecretField(f) && v === "****") {
                return bad(ctx, path, `"****" is the server's mask, not a secret; pass the real value`, v);
            }
            let out = v;
            if (ctx.rule === "domain") {
                const name = normalizeDomainName(v);
                if (name === undefined) return bad(ctx, path, `not a valid domain name${got(ctx, v, ": ")}`, v);
                out = name;
            } else if (f.format === "emailAddress" || ctx.rule === "lower") out = v.trim().toLowerCase();
            if (f.maxLength !== undefined && out.length > f.maxLength)
                fail(ctx, path, `longer than ${f.maxLength} characters`);
            return out;
        }
        case "number": {
            let n = v;
            if (f.format === "duration" && typeof v === "string") {
                n = parseDuration(v);
                if (n === undefined)
                    return bad(
                        ctx,
                        path,
                        `${got(ctx, v, "") || "the value"} is not a duration (e.g. "500ms", "30s", "1h30m", or milliseconds)`,
                        v,
                    );
            }
            if (typeof n !== "number" || !Number.isFinite(n))
                return bad(ctx, path, `expected a number${got(ctx, v)}`, v);
            if (f.format !== "float" && !Number.isInteger(n)) fail(ctx, path, `expected an integer${got(ctx, n)}`);
            else if (f.format === "duration" && n <= 0) fail(ctx, path, "durations must be greater than 0 ms");
            else if (f.format !== "integer" && f.format !== "float" && n < 0)
                fail(ctx, path, `expected a non-negative number${got(ctx, n)}`);
            if (f.min !== undefined && n < f.min) fail(ctx, path, `must be at least ${f.min}`);
            if (f.max !== undefined && n > f.max) fail(ctx, path, `must be at most ${f.max}`);
            return n;
        }
        case "boolean":
            if (typeof v !== "boolean") fail(ctx, path, `expected true or false${got(ctx, v)}`);
            return v;
        case "enum": {
            // An enum left out of an oversized subset (provider.ts packSubset) is checked by the server.
            const values = ctx.subset.enums[f.enumName ?? ""];
            if (!values) {
                if (typeof v !== "string" || v === "") fail(ctx, path, `expected a ${f.enumName} value${got(ctx, v)}`);
            } else if (typeof v !== "string" || !values.includes(v)) {
                const list = values.length <= 12 ? `: one of ${values.join(", ")}` : ` (enum ${f.enumName})`;
                fail(
                    ctx,
                    path,
                    `${got(ctx, v, "") || "the value"} is not a valid value${typeof v === "string" ? hint(v, values) : ""}${list}`,
                );
            }
            return v;
        }
        case "utcDateTime": {
            const t = typeof v === "string" ? Date.parse(v) : Number.NaN;
            if (Number.isNaN(t))
                return bad(ctx, path, `expected a date-time such as 2030-01-01T00:00:00Z${got(ctx, v)}`, v);
            return new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");
        }
        default: // objectId, blobId
            if (typeof v !== "string" || v === "") fail(ctx, path, `expected an id string${got(ctx, v)}`);
            return v;
    }
}

const EMPTY_KEY = "empty keys (set members, map keys) are rejected by Stalwart";

/** Set/list/map members given as an array or as the wire object. */
function entries(ctx: Ctx, v: unknown, path: string, what: string): [string, unknown][] | undefined {
    if (Array.isArray(v)) return v.map((x, i) => [String(i), x]);
    if (isObj(v)) return Object.entries(v);
    fail(ctx, path, `expected ${what}${got(ctx, v)}`);
    return undefined;
}

export function value(ctx: Ctx, f: Field, v: unknown, path: string): unknown {
    [ctx, v] = open(ctx, v);
    if (v === UNKNOWN) return v;
    if (v === null || v === undefined) {
        if (!f.nullable) fail(ctx, path, "cannot be null; leave it out to reset it");
        return null;
    }
    if (f.kind === "set") {
        const list = entries(ctx, v, path, "an array or an object of {item: true}");
        if (!list) return v;
        const out: Obj = {};
        for (const [k, x] of list) {
            const item = Array.isArray(v) ? x : k;
            // the wire form is {"<member>": true}: an empty member is an empty key, which Stalwart rejects
            if (typeof item === "string" && item.trim() === "") {
                fail(ctx, path, EMPTY_KEY);
                continue;
            }
            if (!Array.isArray(v) && x !== true && x !== false) fail(ctx, `${path}.${k}`, "set members map to true");
            if (!Array.isArray(v) && x !== true) continue;
            const el = f.element ?? { kind: "string" };
            const raw = el.kind === "number" && typeof item === "string" ? Number(item) : item;
            const norm = value(ctx, el as Field, raw, `${path}[${k}]`);
            out[String(norm)] = true;
        }
        if (f.minItems !== undefined && Object.keys(out).length < f.minItems)
            fail(ctx, path, `needs at least ${f.minItems} item(s)`);
        return out;
    }
    if (f.kind === "objectList") {
        const list = entries(ctx, v, path, "an array or an object keyed by index");
        if (!list) return v;
        if (!Array.isArray(v))
            for (const [k] of list) if (!/^\d+$/.test(k)) fail(ctx, `${path}.${k}`, "list keys are indexes (0, 1, …)");
        list.sort((a, b) => Number(a[0]) - Number(b[0]));
        return Object.fromEntries(
            list.map(([k, x], i) => [
                String(i),
                object(ctx, f.element?.objectName ?? f.objectName ?? "", x, `${path}[${k}]`, false),
            ]),
        );
    }
    if (f.kind === "map") {
        if (!isObj(v)) return bad(ctx, path, `expected an object${got(ctx, v)}`, v);
        const out: Obj = {};
        for (const [k, x] of Object.entries(v)) {
            if (k.trim() === "") {
                fail(ctx, path, EMPTY_KEY);
                continue;
            }
            const key = f.key && f.key.kind !== "string" ? scalar(ctx, f.key, k, `${path}{${k}}`) : k;
            out[String(key)] = f.value ? value(ctx, { ...f.value, nullable: true }, x, `${path}.${k}`) : x;
        }
        return out;
    }
    if (f.kind === "object") return object(ctx, f.objectName ?? "", v, path, false);
    return scalar(ctx, f, v, path);
}

/** An embedded or top-level object: `@type` for variant schemas, known and writable fields only. */
export function object(
    ctx: Ctx,
    schemaName: string,
    v: unknown,
    path: string,
    creating: boolean,
    top = false,
): unknown {
    [ctx, v] = open(ctx, v);
    if (v === UNKNOWN) return v;
    if (!isObj(v)) return bad(ctx, path, `expected an object${got(ctx, v)}`, v);
    const variants = variantsOf(ctx.subset, schemaName);
    const type = unwrap(v["@type"]);
    if (variants && type !== UNKNOWN && (typeof type !== "string" || !variants.includes(type))) {
        const bad =
            type === undefined
                ? "missing"
                : ctx.hide
                  ? "not valid"
                  : `${JSON.stringify(type)} is not valid${typeof type === "string" ? hint(type, variants) : ""}`;
        fail(ctx, join(path, "@type"), `${bad}; variant objects need "@type": one of ${variants.join(", ")}`);
        return v;
    }
    const fields = type === UNKNOWN ? undefined : fieldsOf(ctx.subset, schemaName, type);
    if (!fields) return v;
    const rules = STRING_RULES[schemaName] ?? {};
    const out: Obj = variants ? { "@type": type } : {};
    for (const [k, x] of Object.entries(v)) {
        if (k === "@type" && variants) continue;
        const p = join(path, k);
        const f = fields[k];
        if (!f) {
            fail(
                ctx,
                p,
                `unknown property${hint(k, Object.keys(fields))}${k === "id" ? "; ids are assigned by the server" : ""}`,
            );
            continue;
        }
        if (f.update === "serverSet") {
            fail(ctx, p, "is set by the server and cannot be written");
            continue;
        }
        if (x === undefined) continue;
        const rule = rules[k] ?? (top && ctx.lowercase.includes(k) ? "lower" : ctx.rule);
        out[k] = value({ ...ctx, rule, hide: ctx.hide || isSecretField(f) }, f, x, p);
    }
    // Variant objects are rebuilt from defaults whenever written, so their required fields must be present.
    if (creating || (variants && !top)) {
        for (const [k, f] of Object.entries(fields)) {
            if (f.mustProvide && !(k in out)) fail(ctx, join(path, k), "is required");
        }
    }
    return out;
}

export interface CheckOptions {
    /** true when the object will be created (collections): required properties must be given */
    creating: boolean;
    /** top-level properties whose strings Stalwart lower-cases (domain names, local parts) */
    lowercase?: readonly string[];
}

/** Validate and normalize a resource's `properties`. Failure paths are prefixed with `properties.`. */
export function checkProperties(
    subset: ObjectSchemaSubset,
    props: unknown,
    options: CheckOptions,
): { properties: unknown; failures: Failure[] } {
    const ctx: Ctx = { subset, failures: [], lowercase: options.lowercase ?? [] };
    if (props === UNKNOWN) return { properties: props, failures: [] };
    if (!isObj(props))
        return {
            properties: props,
            failures: [{ property: "properties", reason: "expected an object of x:* properties" }],
        };
    const out = object(ctx, subset.object.schema, props, "", options.creating, true);
    return {
        properties: out,
        failures: ctx.failures.map((f) => ({
            property: `properties${f.property ? "." : ""}${f.property}`,
            reason: f.reason,
        })),
    };
}
