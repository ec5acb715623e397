/**
 * The stored registry: objects by type and id, id allocation, and the read side of the API
 * (/get with masking and computed properties, /query with indexed filters). Writes live in set.ts.
 */
import type { ObjectDescriptor } from "../../../components/stalwart/schema/types";
import { MethodErrorException } from "./errors";
import { compareIds, encodeId, SINGLETON_ID, snowflakeId } from "./ids";
import { clone, isPlainObject, type Json, type JsonObject, type TableView } from "./tableView";

export const MASKED = "****";
const SECRET_FORMATS = new Set(["secret", "secretText"]);
/** Credentials live inside an account: ids and visibility are per accountId. */
export const ACCOUNT_CREDENTIAL_TYPES = new Set(["x:ApiKey", "x:AppPassword"]);
/**
 * Per-account singletons: "singleton" of the account named by accountId, which must be a User
 * account (notFound otherwise, e.g. for the recovery admin). Stored under the account's id.
 */
export const ACCOUNT_SINGLETON_TYPES = new Set(["x:AccountSettings", "x:AccountPassword"]);

/** Computes serverSet values shown on /get (Account.emailAddress, Domain.dnsZoneFile, …). */
export type ComputeOnGet = (type: string, id: string, obj: JsonObject) => void;

export class Registry {
    private readonly objects = new Map<string, Map<string, JsonObject>>();
    private readonly counters = new Map<string, number>();
    /** owner account of each account-scoped credential, keyed "type/id" */
    readonly owners = new Map<string, string>();

    constructor(readonly view: TableView) {}

    descriptor(type: string): ObjectDescriptor {
        const d = this.view.object(type);
        if (!d) throw new Error(`unknown object type ${type}`);
        return d;
    }

    isSingleton(type: string): boolean {
        return this.view.object(type)?.kind === "singleton";
    }

    table(type: string): Map<string, JsonObject> {
        const existing = this.objects.get(type);
        if (existing) return existing;
        const created = new Map<string, JsonObject>();
        this.objects.set(type, created);
        return created;
    }

    get(type: string, id: string): JsonObject | undefined {
        return this.objects.get(type)?.get(id);
    }

    /** A singleton as the server sees it: stored, or the defaults when never written. */
    singleton(type: string): JsonObject {
        return this.get(type, SINGLETON_ID) ?? this.view.defaultObject(this.descriptor(type).schema);
    }

    /** Is `accountId` a User account (the holder of per-account singletons and credentials)? */
    isUserAccount(accountId: string): boolean {
        return this.get("x:Account", accountId)?.["@type"] === "User";
    }

    /** A per-account singleton of a User account (stored, or the defaults); undefined for any other account. */
    accountSingleton(type: string, accountId: string): JsonObject | undefined {
        if (!this.isUserAccount(accountId)) return undefined;
        return this.get(type, accountId) ?? this.view.defaultObject(this.descriptor(type).schema);
    }

    put(type: string, id: string, obj: JsonObject): void {
        this.table(type).set(id, obj);
    }

    delete(type: string, id: string): void {
        this.objects.get(type)?.delete(id);
        this.owners.delete(`${type}/${id}`);
    }

    types(): string[] {
        return [...this.objects.keys()];
    }

    entries(type: string): [string, JsonObject][] {
        return [...(this.objects.get(type)?.entries() ?? [])];
    }

    /** sequentialId types count b, c, … (incremented before use); others get snowflake ids. */
    allocateId(type: string): string {
        const d = this.descriptor(type);
        if (d.kind === "singleton") return SINGLETON_ID;
        if (d.sequentialId || ACCOUNT_CREDENTIAL_TYPES.has(type)) {
            const n = (this.counters.get(type) ?? 0) + 1;
            this.counters.set(type, n);
            return encodeId(BigInt(n));
        }
        return snowflakeId();
    }

    /** Wire form for /get: every property, `@type`, secrets masked, write-only fields dropped. */
    render(type: string, id: string, stored: JsonObject, compute: ComputeOnGet): JsonObject {
        const d = this.descriptor(type);
        const obj = clone(stored);
        for (const p of d.notReturnedByGet) delete obj[p];
        compute(type, id, obj);
        maskSecrets(this.view, d.schema, obj);
        return { id, ...obj };
    }

    /** The ids visible to a caller: all of a type, or the credentials owned by `accountId`. */
    visibleIds(type: string, accountId: string): string[] {
        const ids = [...(this.objects.get(type)?.keys() ?? [])];
        if (!ACCOUNT_CREDENTIAL_TYPES.has(type)) return ids;
        return ids.filter((id) => this.owners.get(`${type}/${id}`) === accountId);
    }

    /** Objects (type, id) whose properties reference the given object. */
    linksTo(
        type: string,
        id: string,
        refs: (t: string, obj: JsonObject) => { type: string; id: string }[],
    ): { type: string; id: string }[] {
        const out: { type: string; id: string }[] = [];
        for (const [t, objects] of this.objects) {
            for (const [oid, obj] of objects) {
                if (refs(t, obj).some((r) => r.type === type && r.id === id)) out.push({ type: t, id: oid });
            }
        }
        return out;
    }
}

export function maskSecrets(view: TableView, schemaName: string, obj: JsonObject): void {
    for (const [name, f] of Object.entries(view.fields(schemaName, obj["@type"]))) {
        const v = obj[name];
        if (f.kind === "string" && SECRET_FORMATS.has(f.format ?? "") && typeof v === "string" && v !== "")
            obj[name] = MASKED;
        else if (f.kind === "object" && f.objectName && isPlainObject(v)) maskSecrets(view, f.objectName, v);
        else if (f.kind === "objectList" && f.element?.objectName && isPlainObject(v)) {
            for (const el of Object.values(v)) if (isPlainObject(el)) maskSecrets(view, f.element.objectName, el);
        } else if (f.kind === "map" && f.value?.kind === "object" && f.value.objectName && isPlainObject(v)) {
            for (const el of Object.values(v)) if (isPlainObject(el)) maskSecrets(view, f.value.objectName, el);
        }
    }
}

/** Properties the /query index covers: unique keys, the natural key, objectId fields, `@type`, `text`. */
export function queryIndexes(view: TableView, d: ObjectDescriptor): Set<string> {
    if (ACCOUNT_CREDENTIAL_TYPES.has(d.name)) return new Set(["expiresAt"]);
    const out = new Set<string>([...d.unique, "text"]);
    if (d.naturalKey) out.add(d.naturalKey);
    for (const p of d.naturalKeyComposite ?? []) out.add(p);
    const variants = view.variants(d.schema);
    const schemas = variants ? Object.values(variants).filter((s): s is string => s !== null) : [d.schema];
    if (variants) out.add("@type");
    for (const s of schemas) {
        for (const [name, f] of Object.entries(view.fields(s))) {
            if (f.kind === "objectId" || (f.kind === "set" && f.element?.kind === "objectId")) out.add(name);
        }
    }
    return out;
}

const COMPARATORS = ["IsGreaterThanOrEqual", "IsGreaterThan", "IsLessThanOrEqual", "IsLessThan"] as const;

/** Tokens the `text` filter matches: lower-cased words of the indexed string properties. */
function textTokens(obj: JsonObject, indexed: Set<string>): Set<string> {
    const tokens = new Set<string>();
    for (const p of [...indexed, "description"]) {
        const v = obj[p];
        const values = typeof v === "string" ? [v] : isPlainObject(v) ? Object.keys(v) : [];
        for (const s of values)
            for (const w of s.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (w.length >= 2) tokens.add(w);
    }
    return tokens;
}

function matches(
    obj: JsonObject,
    id: string,
    prop: string,
    op: string | undefined,
    expected: Json,
    indexed: Set<string>,
): boolean {
    if (prop === "text") {
        const tokens = textTokens(obj, indexed);
        return String(expected)
            .toLowerCase()
            .split(/[^\p{L}\p{N}]+/u)
            .filter((w) => w.length >= 2)
            .every((w) => tokens.has(w));
    }
    const actual = prop === "id" ? id : obj[prop];
    if (!op) {
        if (isPlainObject(actual)) return typeof expected === "string" && actual[expected] === true;
        return actual === expected;
    }
    if (actual === null || actual === undefined || expected === null) return false;
    const [a, b] = [actual as number | string, expected as number | string];
    switch (op) {
        case "IsGreaterThan":
            return a > b;
        case "IsGreaterThanOrEqual":
            return a >= b;
        case "IsLessThan":
            return a < b;
        default:
            return a <= b;
    }
}

export interface QueryArgs {
    filter?: Json;
    sort?: Json;
    position?: Json;
    anchor?: Json;
    anchorOffset?: Json;
    limit?: Json;
    calculateTotal?: Json;
}

/** Flat ANDed conditions on indexed properties; one comparator; default order id descending. */
export function runQuery(
    view: TableView,
    d: ObjectDescriptor,
    candidates: [string, JsonObject][],
    args: QueryArgs,
    maxResults: number,
): JsonObject {
    const indexed = queryIndexes(view, d);
    let rows = candidates;
    if (args.filter !== undefined && args.filter !== null) {
        if (!isPlainObject(args.filter) || "operator" in args.filter || "conditions" in args.filter) {
            throw new MethodErrorException("unsupportedFilter", "Only flat AND conditions are supported.");
        }
        for (const [key, expected] of Object.entries(args.filter)) {
            const op = COMPARATORS.find((c) => key.endsWith(c));
            const prop = op ? key.slice(0, -op.length) : key;
            if (!indexed.has(prop))
                throw new MethodErrorException("unsupportedFilter", `Property ${prop} is not indexed.`);
            rows = rows.filter(([id, obj]) => matches(obj, id, prop, op, expected, indexed));
        }
    }
    const comparator =
        Array.isArray(args.sort) && isPlainObject(args.sort[0]) ? args.sort[0] : { property: "id", isAscending: false };
    const property = String(comparator.property ?? "id");
    if (property !== "id" && !indexed.has(property))
        throw new MethodErrorException("unsupportedSort", `Property ${property} is not indexed.`);
    const ascending = comparator.isAscending !== false;
    const sorted = [...rows].sort(([ia, a], [ib, b]) => {
        let c: number;
        if (property === "id") c = compareIds(ia, ib);
        else {
            const [x, y] = [String(a[property] ?? ""), String(b[property] ?? "")];
            c = x < y ? -1 : x > y ? 1 : compareIds(ia, ib);
        }
        return ascending ? c : -c;
    });
    const ids = sorted.map(([id]) => id);
    let position = typeof args.position === "number" ? args.position : 0;
    if (typeof args.anchor === "string") {
        const at = ids.indexOf(args.anchor);
        if (at < 0) throw new MethodErrorException("anchorNotFound");
        position = at + (typeof args.anchorOffset === "number" ? args.anchorOffset : 0);
    }
    if (position < 0) position = Math.max(0, ids.length + position);
    const limit = Math.min(typeof args.limit === "number" ? args.limit : maxResults, maxResults);
    const out: JsonObject = {
        ids: ids.slice(position, position + limit),
        queryState: "n",
        canCalculateChanges: true,
        position,
    };
    if (args.calculateTotal === true) out.total = ids.length;
    if (typeof args.limit === "number") out.limit = limit;
    return out;
}
