/**
 * /set for registry objects: creates (topologically ordered by `#cid` references), then updates,
 * then destroys; each object runs Stalwart's pipeline (docs/stalwart-facts.md#set-semantics: resolve references → patch →
 * type rules → validate → foreign keys → unique keys → write) and fails on its own.
 */
import { randomBytes } from "node:crypto";
import { invalidProperties, MethodErrorException, objectRef, type SetError, SetErrorException } from "./errors";
import { SINGLETON_ID } from "./ids";
import { Patcher, parsePointer } from "./patch";
import { ACCOUNT_CREDENTIAL_TYPES, ACCOUNT_SINGLETON_TYPES } from "./registry";
import { referencedClientIds, resolveIdReferences } from "./references";
import { afterCreate, beforeWrite, type RulesEnv } from "./rules";
import { collectReferences, isPlainObject, type Json, type JsonObject } from "./tableView";
import { validateObject } from "./validate";

export const SET_MAX_OBJECTS = 500;

export interface SetContext {
    env: RulesEnv;
    /** the effective accountId (request's, or the caller's own) */
    accountId: string;
    /** request-level created ids: `#cid` resolution and the response's createdIds */
    createdIds: Map<string, string>;
    /** x:Action variants; undefined = success */
    runAction(variant: string): SetError | undefined;
    /** result maps with nothing in them: left out (default), present and empty, or null */
    resultMaps?: SetResultMaps;
    /** a fault: rewrites each SetError before it is answered */
    errorShape?: (err: JsonObject) => JsonObject;
}

export type SetResultMaps = "omit" | "empty" | "null";

type Outcome = { ok: Json } | { error: SetError };

const attempt = (fn: () => Json, shape?: (err: JsonObject) => JsonObject): Outcome => {
    try {
        return { ok: fn() };
    } catch (e) {
        if (e instanceof SetErrorException)
            return { error: shape ? (shape(e.setError as unknown as JsonObject) as unknown as SetError) : e.setError };
        throw e;
    }
};

export function runSet(ctx: SetContext, type: string, args: JsonObject): JsonObject {
    const create = isPlainObject(args.create) ? args.create : {};
    const update = isPlainObject(args.update) ? args.update : {};
    const destroy = Array.isArray(args.destroy) ? args.destroy.map(String) : [];
    if (Object.keys(create).length + Object.keys(update).length + destroy.length > SET_MAX_OBJECTS) {
        throw new MethodErrorException("requestTooLarge", `Too many objects (max ${SET_MAX_OBJECTS}).`);
    }
    const out: JsonObject = { accountId: ctx.accountId };
    const created: JsonObject = {};
    const notCreated: JsonObject = {};
    const updated: JsonObject = {};
    const notUpdated: JsonObject = {};
    const destroyed: string[] = [];
    const notDestroyed: JsonObject = {};

    for (const cid of createOrder(create)) {
        const r = attempt(() => createOne(ctx, type, cid, create[cid]!), ctx.errorShape);
        if ("ok" in r) created[cid] = r.ok;
        else notCreated[cid] = r.error as unknown as JsonObject;
    }
    for (const [id, patch] of Object.entries(update)) {
        const r = destroy.includes(id)
            ? { error: { type: "willDestroy", description: "Object will be destroyed." } }
            : attempt(() => updateOne(ctx, type, id, patch), ctx.errorShape);
        if ("ok" in r) updated[id] = r.ok;
        else notUpdated[id] = r.error as unknown as JsonObject;
    }
    for (const id of destroy) {
        const r = attempt(() => destroyOne(ctx, type, id), ctx.errorShape);
        if ("ok" in r) destroyed.push(id);
        else notDestroyed[id] = r.error as unknown as JsonObject;
    }
    // Empty result maps are left out by default (no oldState/newState either: the registry has no
    // state); a client must also accept them present and empty, or null.
    const maps: [string, JsonObject | string[]][] = [
        ["created", created],
        ["updated", updated],
        ["destroyed", destroyed],
        ["notCreated", notCreated],
        ["notUpdated", notUpdated],
        ["notDestroyed", notDestroyed],
    ];
    for (const [key, value] of maps) {
        if (Object.keys(value).length) out[key] = value;
        else if (ctx.resultMaps === "empty") out[key] = value;
        else if (ctx.resultMaps === "null") out[key] = null;
    }
    return out;
}

/** Creations referencing other creations of the same call go after them (cycles keep input order). */
function createOrder(create: JsonObject): string[] {
    const pending = Object.keys(create);
    const order: string[] = [];
    while (pending.length) {
        const ready = pending.filter((cid) =>
            [...referencedClientIds(create[cid]!)].every((r) => !pending.includes(r) || r === cid),
        );
        const batch = ready.length ? ready : [pending[0]!];
        for (const cid of batch) {
            order.push(cid);
            pending.splice(pending.indexOf(cid), 1);
        }
    }
    return order;
}

function createOne(ctx: SetContext, type: string, cid: string, raw: Json): Json {
    const { registry } = ctx.env;
    const d = registry.descriptor(type);
    const value = resolveIdReferences(raw, ctx.createdIds);
    if (!isPlainObject(value))
        throw new SetErrorException({
            type: "invalidPatch",
            description: "Invalid value for object property",
            properties: [""],
        });
    if (type === "x:Action") return createAction(ctx, cid, value);
    // A singleton create builds a fresh default object and writes it over the stored one.
    const obj = new Patcher(registry.view, "create").build(d.schema, value, "");
    let extra: JsonObject = {};
    if (ACCOUNT_CREDENTIAL_TYPES.has(type)) extra = issueCredential(ctx, type, obj);
    beforeWrite(ctx.env, type, obj, undefined);
    if (ACCOUNT_SINGLETON_TYPES.has(type) && !registry.isUserAccount(ctx.accountId))
        throw new SetErrorException({ type: "notFound" });
    checkWrite(ctx, type, undefined, obj);
    const id = registry.allocateId(type);
    registry.put(type, ACCOUNT_SINGLETON_TYPES.has(type) ? ctx.accountId : id, obj);
    if (ACCOUNT_CREDENTIAL_TYPES.has(type)) registry.owners.set(`${type}/${id}`, ctx.accountId);
    afterCreate(ctx.env, type, id, obj);
    ctx.createdIds.set(cid, id);
    return { id, ...extra };
}

function createAction(ctx: SetContext, cid: string, value: JsonObject): Json {
    const variants = ctx.env.registry.view.variants(ctx.env.registry.descriptor("x:Action").schema) ?? {};
    const variant = value["@type"];
    if (typeof variant !== "string" || !(variant in variants)) {
        throw new SetErrorException({
            type: "invalidPatch",
            description: "Missing or invalid '@type' property in object",
            properties: ["@type"],
        });
    }
    const failure = ctx.runAction(variant);
    if (failure) throw new SetErrorException(failure);
    const id = ctx.env.registry.allocateId("x:Action");
    ctx.createdIds.set(cid, id);
    return { id };
}

/** ApiKey/AppPassword: a server-made secret, shown only in the create response; quota per account. */
function issueCredential(ctx: SetContext, type: string, obj: JsonObject): JsonObject {
    const { registry } = ctx.env;
    const auth = registry.singleton("x:Authentication");
    const limit = Number(type === "x:ApiKey" ? (auth.maxApiKeys ?? 5) : (auth.maxAppPasswords ?? 5));
    if (registry.visibleIds(type, ctx.accountId).length >= limit) {
        throw new SetErrorException({ type: "overQuota", description: `Maximum number of ${type.slice(2)}s reached.` });
    }
    const credId = registry.entries(type).length + 1;
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32BE(Number(BigInt.asUintN(32, BigInt(credId))), 4);
    const secret =
        type === "x:ApiKey"
            ? `API_${Buffer.concat([bytes, randomBytes(20)]).toString("base64url")}`
            : `app_${Buffer.concat([bytes.subarray(4), randomBytes(18)]).toString("hex")}`;
    obj.secret = secret;
    return { secret };
}

function updateOne(ctx: SetContext, type: string, id: string, raw: Json): Json {
    const { registry } = ctx.env;
    const d = registry.descriptor(type);
    if (type === "x:Action")
        throw new SetErrorException({ type: "forbidden", description: "Actions cannot be updated." });
    const singleton = d.kind === "singleton";
    if (singleton && id !== SINGLETON_ID) throw new SetErrorException({ type: "notFound" });
    const perAccount = ACCOUNT_SINGLETON_TYPES.has(type);
    if (perAccount && !registry.isUserAccount(ctx.accountId)) throw new SetErrorException({ type: "notFound" });
    const key = perAccount ? ctx.accountId : id;
    const stored = registry.get(type, key);
    if (!singleton && (!stored || !ownedByCaller(ctx, type, id))) throw new SetErrorException({ type: "notFound" });
    const current = stored ?? (perAccount ? registry.accountSingleton(type, ctx.accountId)! : registry.singleton(type));
    const patch = resolveIdReferences(raw, ctx.createdIds);
    if (!isPlainObject(patch))
        throw new SetErrorException({
            type: "invalidPatch",
            description: "Invalid value for object property",
            properties: [""],
        });
    let next: JsonObject;
    if ("@type" in patch && registry.view.isVariant(d.schema) && patch["@type"] !== current["@type"]) {
        if (type === "x:Account") throw invalidProperties("@type", "Cannot change the type of an existing account.");
        // A variant change rebuilds the object from that variant's defaults with create semantics.
        next = new Patcher(registry.view, "create").build(d.schema, patch, "");
    } else {
        next = structuredClone(current);
        const patcher = new Patcher(registry.view, "update");
        for (const [key, value] of Object.entries(patch)) {
            const top = parsePointer(key)[0] ?? "";
            if (key === "@type") continue;
            if (d.notReturnedByGet.includes(top)) continue; // write-only create fields are ignored on update
            patcher.apply(d.schema, next, key, value);
        }
    }
    beforeWrite(ctx.env, type, next, current);
    checkWrite(ctx, type, id, next);
    registry.put(type, key, next);
    return null;
}

function destroyOne(ctx: SetContext, type: string, id: string): Json {
    const { registry } = ctx.env;
    const d = registry.descriptor(type);
    if (d.kind === "singleton")
        throw new SetErrorException({ type: "singleton", description: "Singletons cannot be created or destroyed." });
    if (type === "x:Action")
        throw new SetErrorException({ type: "forbidden", description: "Actions cannot be destroyed." });
    if (!registry.get(type, id) || !ownedByCaller(ctx, type, id)) throw new SetErrorException({ type: "notFound" });
    // An Account may orphan its PublicKey and MaskedEmail objects; its own credentials go with it.
    const orphanable = type === "x:Account" ? new Set(["x:PublicKey", "x:MaskedEmail"]) : new Set<string>();
    const linked = registry
        .linksTo(type, id, (t, obj) => referencesOf(ctx, t, obj))
        .filter((l) => !(l.type === type && l.id === id) && !orphanable.has(l.type));
    if (linked.length) {
        throw new SetErrorException({
            type: "objectIsLinked",
            description: "Object is linked to other objects.",
            objectId: objectRef(type, id),
            linkedObjects: linked.map((l) => objectRef(l.type, l.id)),
        });
    }
    registry.delete(type, id);
    if (type === "x:Account") {
        for (const t of ACCOUNT_CREDENTIAL_TYPES)
            for (const cred of registry.visibleIds(t, id)) registry.delete(t, cred);
        for (const t of ACCOUNT_SINGLETON_TYPES) registry.delete(t, id);
    }
    return null;
}

const ownedByCaller = (ctx: SetContext, type: string, id: string) =>
    !ACCOUNT_CREDENTIAL_TYPES.has(type) || ctx.env.registry.owners.get(`${type}/${id}`) === ctx.accountId;

function referencesOf(ctx: SetContext, type: string, obj: JsonObject) {
    const d = ctx.env.registry.view.object(type);
    return d ? collectReferences(ctx.env.registry.view, d.schema, obj) : [];
}

/** The store write's checks: validate(), then foreign keys, then unique keys. */
function checkWrite(ctx: SetContext, type: string, id: string | undefined, obj: JsonObject): void {
    const { registry } = ctx.env;
    const d = registry.descriptor(type);
    const errors = validateObject(registry.view, d.schema, obj);
    if (errors.length)
        throw new SetErrorException({
            type: "validationFailed",
            description: "Validation failed.",
            validationErrors: errors,
        });
    for (const ref of collectReferences(registry.view, d.schema, obj)) {
        const target = registry.isSingleton(ref.type) ? undefined : registry.get(ref.type, ref.id);
        if (!target || (ref.variant && target["@type"] !== ref.variant)) {
            throw new SetErrorException({
                type: "invalidForeignKey",
                description: `Referenced ${ref.type.slice(2)} does not exist.`,
                // docs/stalwart-facts.md#set-errors: only the target, no `properties`; a client finds the property from what it sent.
                objectId: objectRef(ref.type, ref.id),
            });
        }
    }
    const keysOf = (o: JsonObject, p: string): string[] => {
        const v = o[p];
        return typeof v === "string" && v !== "" ? [v] : isPlainObject(v) ? Object.keys(v) : [];
    };
    const clash = (properties: string[], otherType: string, otherId: string, description: string) =>
        new SetErrorException({
            type: "primaryKeyViolation",
            description,
            properties,
            objectId: objectRef(otherType, otherId),
        });
    // Properties sharing one index (x:Domain: a name may not equal any domain's name or alias).
    const shared = SHARED_UNIQUE[type] ?? [];
    const composite = d.naturalKeyComposite;
    for (const [otherId, other] of registry.entries(type)) {
        if (otherId === id) continue;
        if (shared.length) {
            const theirs = new Set(shared.flatMap((p) => keysOf(other, p)));
            const hit = shared.find((p) => keysOf(obj, p).some((k) => theirs.has(k)));
            if (hit)
                throw clash(
                    [hit],
                    type,
                    otherId,
                    `Another ${type.slice(2)} already uses this ${hit === "name" ? "name" : "value"} as a name or alias.`,
                );
        }
        for (const p of d.unique) {
            if (shared.includes(p)) continue;
            const mine = new Set(keysOf(obj, p));
            if (keysOf(other, p).some((k) => mine.has(k)))
                throw clash([p], type, otherId, `Another ${type.slice(2)} already has this ${p}.`);
        }
        if (
            !ADDRESS_TYPES.includes(type) &&
            composite?.length &&
            composite.every((p) => obj[p] !== undefined && obj[p] === other[p])
        ) {
            throw clash(composite, type, otherId, "Another object already uses this address.");
        }
    }
    // Accounts and mailing lists share one e-mail address key, aliases included (docs/stalwart-facts.md#accounts).
    if (ADDRESS_TYPES.includes(type)) {
        const mine = addressesOf(obj);
        for (const otherType of ADDRESS_TYPES) {
            if (!registry.view.object(otherType)) continue;
            for (const [otherId, other] of registry.entries(otherType)) {
                if (otherType === type && otherId === id) continue;
                const theirs = new Set(addressesOf(other).map(([a]) => a));
                const hit = mine.find(([a]) => theirs.has(a));
                if (hit)
                    throw clash(
                        hit[1] === "aliases" ? ["aliases"] : (composite ?? ["name", "domainId"]),
                        otherType,
                        otherId,
                        "Another account or mailing list already uses this address.",
                    );
            }
        }
    }
}

/** Unique properties that share one index per type. */
const SHARED_UNIQUE: Record<string, string[]> = { "x:Domain": ["name", "aliases"] };
/** Types whose (name, domainId) and aliases form one global address key. */
const ADDRESS_TYPES = ["x:Account", "x:MailingList"];

/** The addresses an Account or MailingList holds, as "local@domainId", with the property holding each. */
function addressesOf(obj: JsonObject): [string, "name" | "aliases"][] {
    const out: [string, "name" | "aliases"][] = [];
    const address = (o: JsonObject) =>
        typeof o.name === "string" && o.name !== "" && typeof o.domainId === "string"
            ? `${o.name.toLowerCase()}@${o.domainId}`
            : undefined;
    const own = address(obj);
    if (own) out.push([own, "name"]);
    if (isPlainObject(obj.aliases)) {
        for (const alias of Object.values(obj.aliases)) {
            const a = isPlainObject(alias) ? address(alias) : undefined;
            if (a) out.push([a, "aliases"]);
        }
    }
    return out;
}
