/**
 * Id references inside one request: `#<clientId>` strings and object keys resolve from the
 * request's created ids (docs/stalwart-facts.md#set-semantics), and RFC 8620 result references (`"#ids": {resultOf,
 * name, path}`) evaluate only against /get, /changes, /query and /queryChanges responses.
 */
import { MethodErrorException, SetErrorException } from "./errors";
import { isPlainObject, type Json, type JsonObject } from "./tableView";

const refOf = (s: string) => (s.startsWith("#") && s.length > 1 ? s.slice(1) : undefined);

/** Client ids referenced anywhere in a value (strings and object keys). */
export function referencedClientIds(value: Json, out = new Set<string>()): Set<string> {
    if (typeof value === "string") {
        const r = refOf(value);
        if (r) out.add(r);
    } else if (Array.isArray(value)) {
        for (const v of value) referencedClientIds(v, out);
    } else if (isPlainObject(value)) {
        for (const [k, v] of Object.entries(value)) {
            const r = refOf(k);
            if (r) out.add(r);
            referencedClientIds(v, out);
        }
    }
    return out;
}

/** Replaces `#cid` strings and keys; an unknown reference is SetError notFound. */
export function resolveIdReferences(value: Json, created: Map<string, string>): Json {
    const lookup = (cid: string) => {
        const id = created.get(cid);
        if (id === undefined)
            throw new SetErrorException({ type: "notFound", description: `Id reference #${cid} not found.` });
        return id;
    };
    if (typeof value === "string") {
        const r = refOf(value);
        return r ? lookup(r) : value;
    }
    if (Array.isArray(value)) return value.map((v) => resolveIdReferences(v, created));
    if (!isPlainObject(value)) return value;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(value)) {
        const r = refOf(k);
        out[r ? lookup(r) : k] = resolveIdReferences(v, created);
    }
    return out;
}

const EVALUABLE = /\/(get|changes|query|queryChanges)$/;

/** Evaluates a JSON pointer (with `*` over arrays) against a response's arguments. */
function evalPointer(value: Json, segments: string[]): Json | undefined {
    if (segments.length === 0) return value;
    const [head, ...rest] = segments as [string, ...string[]];
    if (head === "*" && Array.isArray(value)) {
        return value.flatMap((v) => {
            const r = evalPointer(v, rest);
            return r === undefined ? [] : Array.isArray(r) ? r : [r];
        });
    }
    if (Array.isArray(value)) return /^\d+$/.test(head) ? evalPointer(value[Number(head)] as Json, rest) : undefined;
    if (isPlainObject(value) && head in value) return evalPointer(value[head]!, rest);
    return undefined;
}

/** Resolves `#arg` result references in a call's arguments against earlier responses. */
export function resolveResultReferences(args: JsonObject, responses: [string, JsonObject, string][]): JsonObject {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(args)) {
        if (!key.startsWith("#")) {
            out[key] = value;
            continue;
        }
        const name = key.slice(1);
        if (name in args) throw new MethodErrorException("invalidArguments", `Both ${name} and #${name} given.`);
        if (
            !isPlainObject(value) ||
            typeof value.resultOf !== "string" ||
            typeof value.name !== "string" ||
            typeof value.path !== "string"
        ) {
            throw new MethodErrorException("invalidResultReference", "Malformed result reference.");
        }
        const source = responses.find(([n, , callId]) => callId === value.resultOf && n === value.name);
        if (!source || !EVALUABLE.test(value.name)) {
            throw new MethodErrorException(
                "invalidResultReference",
                `Result reference to ${value.resultOf}#${value.name} not found.`,
            );
        }
        const path = value.path.replace(/^\//, "");
        const resolved = evalPointer(
            source[1],
            path === "" ? [] : path.split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~")),
        );
        if (resolved === undefined)
            throw new MethodErrorException("invalidResultReference", `Path ${value.path} not found.`);
        out[name] = resolved;
    }
    return out;
}
