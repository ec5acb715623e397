/**
 * Diff and patch computation on normalized properties. Secrets never meet the server's masked
 * `"****"`: they are replaced by the mask in anything kept in state and compared through salted
 * SHA-256 hashes (globalThis.crypto). "Covers" compares an input with the server's view the way
 * /set applies it: sets, lists and maps whole; embedded objects only on the keys given.
 */
import type { FieldDescriptor, ObjectSchemaSubset } from "./schema/types";
import { fieldsOf, isObj, isSecretField, UNKNOWN } from "./normalize";

type Obj = Record<string, unknown>;
type Hashes = Record<string, string>;
export const MASK = "****";

/** JSON-pointer escaping for one path segment (set members such as "10.0.0.0/8" contain "/"). */
export const esc = (k: string) => k.replace(/~/g, "~0").replace(/\//g, "~1");

export function stable(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(stable).join(",")}]`;
    if (isObj(v))
        return `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${stable(v[k])}`)
            .join(",")}}`;
    return JSON.stringify(v) ?? "null";
}
export const same = (a: unknown, b: unknown) => stable(a) === stable(b);
export const hasUnknown = (v: unknown): boolean =>
    v === UNKNOWN || (isObj(v) && (Object.keys(v).includes(UNKNOWN) || Object.values(v).some(hasUnknown)));

export async function sha256(text: string): Promise<string> {
    const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

export function newSalt(): string {
    return Array.from(globalThis.crypto.getRandomValues(new Uint8Array(16)), (b) =>
        b.toString(16).padStart(2, "0"),
    ).join("");
}

export { isSecretField };

/** Copy of `v` (an object of schema `schemaName`) with every secret string leaf passed through `fn`. */
export function mapSecrets(
    subset: ObjectSchemaSubset,
    schemaName: string,
    v: unknown,
    ptr: string,
    fn: (ptr: string, s: string) => unknown,
): unknown {
    if (!isObj(v)) return v;
    const fields = fieldsOf(subset, schemaName, v["@type"]);
    if (!fields) return v;
    const out: Obj = { ...v };
    for (const [k, x] of Object.entries(v)) {
        const f = fields[k];
        if (!f || x === null || x === UNKNOWN) continue;
        const p = ptr ? `${ptr}/${esc(k)}` : esc(k);
        if (isSecretField(f) && typeof x === "string") out[k] = fn(p, x);
        else if (f.kind === "object") out[k] = mapSecrets(subset, f.objectName ?? "", x, p, fn);
        else if (isObj(x) && (f.kind === "objectList" || (f.kind === "map" && f.value?.kind === "object"))) {
            const target = (f.kind === "map" ? f.value?.objectName : f.element?.objectName) ?? "";
            out[k] = Object.fromEntries(
                Object.entries(x).map(([i, e]) => [i, mapSecrets(subset, target, e, `${p}/${esc(i)}`, fn)]),
            );
        }
    }
    return out;
}

/** Normalized properties → the same with secrets masked, plus the plaintexts by JSON pointer. */
export function redact(subset: ObjectSchemaSubset, props: Obj): { redacted: Obj; secrets: Record<string, string> } {
    const secrets: Record<string, string> = {};
    const redacted = mapSecrets(subset, subset.object.schema, props, "", (p, s) => {
        secrets[p] = s;
        return MASK;
    }) as Obj;
    return { redacted, secrets };
}

export async function hashSecrets(salt: string, secrets: Record<string, string>): Promise<Hashes> {
    const out: Hashes = {};
    for (const [p, s] of Object.entries(secrets)) out[p] = await sha256(`${salt}\u0000${p}\u0000${s}`);
    return out;
}

type Field = FieldDescriptor | undefined;
const isAccountCredentials = (subset: ObjectSchemaSubset, key: string) =>
    subset.object.name === "x:Account" && key === "credentials";

/** Does the server's value already say what the input says? */
export function covers(subset: ObjectSchemaSubset, f: Field, server: unknown, input: unknown, key = ""): boolean {
    if (input === UNKNOWN) return false;
    if (!f || input === null || !isObj(input)) return same(server, input);
    if (!isObj(server)) return false;
    const sameKeys = () => same(Object.keys(server).sort(), Object.keys(input).sort());
    if (f.kind === "set") return sameKeys();
    if (f.kind === "map")
        return (
            sameKeys() &&
            Object.keys(input).every((k) =>
                f.value?.kind === "object"
                    ? coversObject(subset, f.value.objectName ?? "", server[k], input[k])
                    : same(server[k], input[k]),
            )
        );
    if (f.kind === "objectList") {
        const target = f.element?.objectName ?? "";
        // Account credentials also list app passwords and API keys the provider never manages.
        if (isAccountCredentials(subset, key))
            return Object.values(input).every((e) =>
                Object.values(server).some((s) => coversObject(subset, target, s, e)),
            );
        return sameKeys() && Object.keys(input).every((k) => coversObject(subset, target, server[k], input[k]));
    }
    if (f.kind === "object") return coversObject(subset, f.objectName ?? "", server, input);
    return same(server, input);
}

function coversObject(subset: ObjectSchemaSubset, schemaName: string, server: unknown, input: unknown): boolean {
    if (!isObj(input) || !isObj(server)) return same(server, input);
    if (input["@type"] !== undefined && server["@type"] !== input["@type"]) return false;
    const fields = fieldsOf(subset, schemaName, input["@type"]) ?? {};
    return Object.keys(input).every((k) => k === "@type" || covers(subset, fields[k], server[k], input[k], k));
}

/** The server's value reduced to the shape of what is managed (for read's reconstructed inputs). */
export function project(subset: ObjectSchemaSubset, f: Field, server: unknown, shape: unknown): unknown {
    if (!f || !isObj(shape) || !isObj(server)) return server;
    if (f.kind !== "object") return server;
    const fields = fieldsOf(subset, f.objectName ?? "", server["@type"]) ?? {};
    return Object.fromEntries(
        Object.keys(shape)
            .filter((k) => k in server)
            .map((k) => [k, project(subset, fields[k], server[k], shape[k])]),
    );
}

export const topFields = (subset: ObjectSchemaSubset, props: Obj) =>
    fieldsOf(subset, subset.object.schema, props["@type"]) ?? {};

/**
 * What a property left out of the inputs goes back to (docs/stalwart-facts.md#field-defaults): its schema default,
 * else null when nullable; where the schema has neither, the Rust default: {} for sets, maps and
 * lists, false, a default variant that carries no fields (`{"@type": "None"}`). undefined when it
 * cannot be reset safely: a required value, an enum or an embedded object without a default, a
 * variant whose default carries settings (x:Domain dkimManagement's Automatic would make Stalwart
 * generate DKIM keys), Account credentials (they also hold app passwords and API
 * keys). Such a property is only forgotten: the server keeps its value.
 */
export function resetValue(subset: ObjectSchemaSubset, f: Field, key: string): unknown {
    if (!f || isAccountCredentials(subset, key)) return undefined;
    if ("default" in f) return f.default;
    if (f.nullable) return null;
    if (f.required || f.minItems) return undefined;
    // a variant object resets only to a default variant that carries nothing (x:SecretKeyOptional None)
    const variants =
        f.kind === "object"
            ? (subset.schemas[f.objectName ?? ""] as { defaultVariant?: string; variants?: Obj } | undefined)
            : undefined;
    if (variants?.defaultVariant)
        return variants.variants?.[variants.defaultVariant] === null ? { "@type": variants.defaultVariant } : undefined;
    return f.kind === "boolean" ? false : /^(set|map|objectList)$/.test(f.kind) ? {} : undefined;
}

export interface Prior {
    /** the redacted inputs last written */
    managed: Obj;
    secretHashes: Hashes;
    /** the server's view as last read */
    server: Obj;
}

export interface PropertyDiff {
    /** top-level keys whose value must be (re)written */
    changed: string[];
    replaces: string[];
    deleteBeforeReplace: boolean;
}

/**
 * What changed: inputs against what was last written, secret hashes, and drift against the server
 * (not for properties /get never returns: those only against what was written). A managed property
 * left out of the inputs is a change: the update resets it (resetValue) or, when it cannot be reset
 * or is immutable, only forgets it (never a replacement); the next diff is clean either way.
 */
export function diffProperties(subset: ObjectSchemaSubset, prior: Prior, news: Obj, newHashes: Hashes): PropertyDiff {
    const fields = topFields(subset, news);
    const hidden = subset.object.notReturnedByGet;
    const under = (k: string, p: string) => p === esc(k) || p.startsWith(`${esc(k)}/`);
    const secretChanged = (k: string) =>
        [...Object.keys(newHashes), ...Object.keys(prior.secretHashes)].some(
            (p) => under(k, p) && newHashes[p] !== prior.secretHashes[p],
        );
    const changed = Object.keys(news).filter(
        (k) =>
            hasUnknown(news[k]) ||
            !same(prior.managed[k], news[k]) ||
            secretChanged(k) ||
            (!hidden.includes(k) && !covers(subset, fields[k], prior.server[k], news[k], k)),
    );
    changed.push(...Object.keys(prior.managed).filter((k) => !(k in news)));
    // A singleton is one object: a new @type is an update the server rebuilds it from (no singleton has an
    // immutable property), never a replacement, whose later delete would give back over the new values.
    if (subset.object.kind === "singleton") return { changed, replaces: [], deleteBeforeReplace: false };
    const replaces = changed.filter((k) => k === "@type" || (fields[k]?.update === "immutable" && k in news));
    if (replaces.length === 0) return { changed, replaces, deleteBeforeReplace: false };
    // Replacing creates the new object first unless a unique value the new one keeps would clash.
    const clash = (k: string) => {
        if (!(k in news) || hasUnknown(news[k])) return false;
        const s = prior.server[k];
        const n = news[k];
        return isObj(n) && isObj(s) ? Object.keys(n).some((m) => m in s) : same(s, n);
    };
    const composite = subset.object.naturalKeyComposite;
    const deleteBeforeReplace = subset.object.unique.some(clash) || (!!composite && composite.every(clash));
    return { changed, replaces, deleteBeforeReplace };
}

/** Index of an Account credential of the same `@type` on the server (the Password one). */
function credentialPatch(news: Obj, server: Obj, newHashes: Hashes, oldHashes: Hashes, patch: Obj) {
    const used = new Set<string>();
    let next = Math.max(-1, ...Object.keys(server).map(Number)) + 1;
    for (const [i, e] of Object.entries(news)) {
        if (!isObj(e)) continue;
        const j = Object.keys(server).find(
            (s) => !used.has(s) && isObj(server[s]) && (server[s] as Obj)["@type"] === e["@type"],
        );
        if (j === undefined) {
            patch[`credentials/${next++}`] = e;
            continue;
        }
        used.add(j);
        const current = server[j] as Obj;
        for (const [k, x] of Object.entries(e)) {
            if (k === "@type") continue;
            const p = `credentials/${i}/${esc(k)}`;
            const isSecret = p in newHashes || p in oldHashes;
            if (isSecret ? newHashes[p] !== oldHashes[p] : !same(current[k], x))
                patch[`credentials/${j}/${esc(k)}`] = x;
        }
    }
}

/**
 * The /set update for the changed keys: JSON-pointer keys, never serverSet/immutable/`id`, secrets
 * in plaintext from the inputs (never the mask), element-level for sets and scalar maps when that
 * is smaller, and Account credentials patched per field so app passwords and API keys survive.
 * `restore`: the values an adopted object had before it was adopted (a removed property returns to them).
 */
export function buildPatch(
    subset: ObjectSchemaSubset,
    changed: string[],
    news: Obj,
    server: Obj,
    newHashes: Hashes,
    oldHashes: Hashes,
    restore: Obj = {},
): Obj {
    const fields = topFields(subset, news);
    const patch: Obj = {};
    for (const k of changed) {
        const f = fields[k];
        // a property an adopted object no longer manages goes back to the value it had when adopted
        const x = k in news ? news[k] : k in restore ? restore[k] : resetValue(subset, f, k);
        const current = server[k];
        if (f?.update !== "mutable" || x === undefined || (!(k in news) && same(current, x))) continue;
        if (isAccountCredentials(subset, k) && isObj(x) && isObj(current)) {
            credentialPatch(x, current, newHashes, oldHashes, patch);
            continue;
        }
        const scalarMap = f.kind === "map" && f.value?.kind !== "object";
        if ((f.kind === "set" || scalarMap) && isObj(x) && isObj(current)) {
            const elements: Obj = {};
            for (const [m, v] of Object.entries(x)) if (!same(current[m], v)) elements[`${k}/${esc(m)}`] = v;
            for (const m of Object.keys(current))
                if (!(m in x)) elements[`${k}/${esc(m)}`] = f.kind === "set" ? false : null;
            if (JSON.stringify(elements).length < JSON.stringify(x).length + k.length + 4) {
                Object.assign(patch, elements);
                continue;
            }
        }
        patch[k] = x;
    }
    return patch;
}
