/**
 * The generic dynamic provider for Stalwart `x:*` objects, for one object type and its (compressed)
 * schema subset. It runs inside the dynamic-provider host, loaded from the bundle provider.ts
 * builds, so it may use only globals, its arguments and the sibling modules of that bundle; node
 * modules are `require`d inside functions. Every CRUD call is one HTTP request: /set and /get
 * travel together (the /get reads a create back through `#c0`). Only the unusual paths cost more:
 * adopting an existing object reads it first, then patches only what differs; a create whose
 * read-back failed reads the new id once more (and keeps the id even if that fails too); a create
 * without a natural key whose connection dropped looks for the object it may have made first.
 * Values in the engine's secret envelope are unwrapped on the way in.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configFrom, resolveConnection, type StalwartConfig } from "./credentials";
import { buildPatch, diffProperties, hashSecrets, newSalt, project, redact, sha256, stable, topFields } from "./diff";
import { methodErrorMessage, setErrorMessage } from "./errors";
import { ACCOUNT_SCOPED } from "./generated/accountScoped";
import { type JmapResult, jmapRequest, type MethodCall } from "./jmap";
import { checkProperties, isObj, UNKNOWN, unwrap } from "./normalize";
import type { ObjectSchemaSubset } from "./schema/types";

/** Bump when the provider's behaviour changes, so `providerVersion` forces an update everywhere. */
export const PROVIDER_CODE_VERSION = "2";

/** Objects that live inside the account a request's JMAP `accountId` names: generated from the schema facts. */
export { ACCOUNT_SCOPED };

/** Top-level properties whose strings Stalwart lower-cases (domain names, local parts). */
export const LOWERCASE_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
    "x:Domain": ["name", "aliases"],
    "x:Account": ["name"],
    "x:MailingList": ["name"],
};

export const defaultProviderVersion = (subset: ObjectSchemaSubset) => `${subset.source.version}+p${PROVIDER_CODE_VERSION}`;

// The engine's inputs, outputs and state, and the server's JSON: untyped by nature and checked
// field by field against the schema subset, so their values stay `any` here rather than be cast
// at each of the many reads.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
type Obj = Record<string, any>;

/** The provider for one object type; the arguments are all it captures besides the imported helpers. */
export function makeProvider(type: string, packed: string, lowercase: readonly string[], accountScoped: boolean): pulumi.dynamic.ResourceProvider {
    const state: { subset?: ObjectSchemaSubset; config: StalwartConfig } = { config: {} };
    const load = (): ObjectSchemaSubset => {
        state.subset ??= JSON.parse(require("node:zlib").brotliDecompressSync(Buffer.from(packed, "base64")).toString("utf8"));
        return state.subset!;
    };
    const connect = () => resolveConnection(globalThis.process.env, state.config);
    const secretName = (p: string) => /secret|password|otp|token|key$/i.test(p);
    /** The properties that name an object: the natural key, or the composite one. */
    const naturalKeys = (): string[] => {
        const o = load().object;
        return o.naturalKeyComposite ?? (o.naturalKey ? [o.naturalKey] : []);
    };
    /** `x:Domain "example.test"`, `x:Account name=… domainId=…` or `x:Tracer id "x"`, for messages. */
    const who = (props: Obj, id?: string) => {
        const [k, ...more] = naturalKeys();
        const key = more.length ? [k!, ...more].map((p) => `${p}=${JSON.stringify(props?.[p])}`).join(" ") : k && props?.[k] !== undefined ? JSON.stringify(props[k]) : "";
        return `${type}${key ? ` ${key}` : ""}${id ? ` (id ${JSON.stringify(id)})` : ""}`;
    };
    /** The arguments of one method response, or the method error turned into a message. */
    const answer = (responses: MethodCall[], callId: string, method: string, name: string) => {
        const r = responses.find((x) => x[2] === callId);
        if (!r) throw new Error(`${name}: the server sent no response to ${method}`);
        if (r[0] === "error") throw new Error(methodErrorMessage(method, name, r[1]));
        return r[1] as Obj;
    };
    const scope = (inputs: Obj) => (accountScoped && typeof inputs.accountId === "string" ? { accountId: inputs.accountId } : {});
    const getCall = (inputs: Obj, id: string): MethodCall => [`${type}/get`, { ...scope(inputs), ids: [id] }, "g"];
    const setCall = (inputs: Obj, args: Obj): MethodCall => [`${type}/set`, { ...scope(inputs), ...args }, "s"];
    /** The object `id` in the /get answer, without its id; undefined when it is not there (a method error throws). */
    const found = (responses: MethodCall[], name: string, id: string): Obj | undefined => {
        const view = answer(responses, "g", `${type}/get`, name).list?.find?.((x: unknown) => isObj(x) && String(x.id) === id);
        if (!isObj(view)) return undefined;
        const { id: _id, ...properties } = view;
        return properties;
    };
    const viewOf = (responses: MethodCall[], name: string, id: string): Obj => {
        const view = found(responses, name, id);
        if (!view) throw new Error(`${name}: ${type}/get returned no object after the write`);
        return view;
    };
    /** Outputs kept in state: never a plaintext secret, only salted hashes and the masked server view. */
    const outputs = async (inputs: Obj, id: string, server: Obj, salt: string, extra: Obj) => {
        const { redacted, secrets } = redact(load(), inputs.properties);
        const secretHashes = await hashSecrets(salt, secrets);
        const contentHash = await sha256(stable({ type, managed: redacted, secretHashes }));
        return { objectType: type, objectId: id, ...scope(inputs), adopt: inputs.adopt, providerVersion: inputs.providerVersion, properties: server, managed: redacted, secretHashes, salt, contentHash, ...extra };
    };
    /**
     * Throws the SetError of `key` from this operation's result map (Stalwart may send every map,
     * empty or null), or when the response confirms neither success nor failure.
     */
    const writeFailed = (set: Obj, key: string, op: "update" | "adopt" | "destroy", name: string, props?: Obj) => {
        const err = (op === "destroy" ? set.notDestroyed : set.notUpdated)?.[key];
        if (err) throw new Error(setErrorMessage(op, name, err, secretName, undefined, props));
        if (!(op === "destroy" ? set.destroyed?.includes?.(key) : isObj(set.updated) && key in set.updated)) throw new Error(`${name}: ${type}/set did not confirm the ${op}; re-run to reconcile`);
    };
    /** A natural-key value as Stalwart compares it: lower-cased where it lower-cases (check() already gives domains as A-labels). */
    const keyValue = (k: string, v: unknown) => stable(typeof v === "string" && lowercase.includes(k) ? v.trim().toLowerCase() : v);

    /** What changed from the state `olds` to the inputs `news` (diff and update agree by construction). */
    const plan = async (olds: Obj, news: Obj) => {
        const subset = load();
        const { redacted, secrets } = redact(subset, news.properties);
        const oldHashes = olds.secretHashes ?? {};
        const hashes = await hashSecrets(olds.salt ?? "", secrets);
        const server = olds.properties ?? {};
        return { subset, oldHashes, hashes, server, d: diffProperties(subset, { managed: olds.managed ?? {}, secretHashes: oldHashes, server }, redacted, hashes) };
    };
    /** Also adopt's second half (`adopting`): then olds describe the existing object as if these inputs had been written to it. */
    const update = async (id: string, olds: Obj, news: Obj, adopting?: boolean) => {
        const name = who(news.properties, id);
        const { subset, oldHashes, hashes, server, d } = await plan(olds, news);
        if (adopting && d.replaces.length) throw new Error(`${name}: cannot adopt, ${d.replaces.join(", ")} differ(s) and cannot change in place`);
        const patch = buildPatch(subset, d.changed, news.properties, server, hashes, oldHashes);
        const calls = Object.keys(patch).length > 0 ? [setCall(news, { update: { [id]: patch } }), getCall(news, id)] : [getCall(news, id)];
        const { responses } = await jmapRequest(connect(), calls);
        if (calls.length > 1) writeFailed(answer(responses, "s", `${type}/set`, name), id, adopting ? "adopt" : "update", name, news.properties);
        const keep: Obj = { changedProperties: changedOf(patch), adopted: olds.adopted ?? false };
        if (olds.createdSecret !== undefined) keep.createdSecret = olds.createdSecret;
        return { outs: await outputs(news, id, viewOf(responses, name, id), olds.salt, keep) };
    };

    /**
     * Create met a unique-key clash: take the existing object over only when it is the one these inputs
     * name (same type, same natural key), then patch only what differs, as an update would: never
     * serverSet/immutable fields or "****", Account credentials per field so app passwords and API keys survive.
     */
    const adopt = async (inputs: Obj, err: Obj, salt: string) => {
        const props: Obj = inputs.properties;
        const name = who(props);
        const keys = naturalKeys();
        // §3.3: the existing object is `objectId`, or `existingId` (then of this type).
        const ref = err.objectId ?? {};
        const existing = String(ref.id ?? err.existingId ?? "");
        const refuse = (why: string) => new Error(setErrorMessage("create", name, err, secretName, why));
        if (!existing || String(ref.object ?? type).replace(/^x:/, "") !== type.slice(2)) throw refuse("is another kind of object");
        const outside = (Array.isArray(err.properties) ? err.properties : []).map((p: unknown) => String(p).replace(/^\//, "").split("/")[0]!).filter((p: string) => !keys.includes(p));
        if (!keys.length || outside.length) throw refuse(`clashes on ${outside.join(", ") || "a unique key"}, not on the natural key`);
        const current = found((await jmapRequest(connect(), [getCall(inputs, existing)])).responses, name, existing);
        if (!current) throw refuse("could not be read; re-run");
        if (keys.some((k) => keyValue(k, current[k]) !== keyValue(k, props[k]))) throw refuse(`is ${who(current)}`);
        return take(inputs, existing, current, salt, true);
    };
    /** As if these inputs had been written to `current` before: only the server's view decides what to patch. */
    const take = async (inputs: Obj, id: string, current: Obj, salt: string, adopted: boolean) => {
        const olds = { managed: redact(load(), inputs.properties).redacted, secretHashes: {}, properties: current, salt, adopted };
        return { id, outs: (await update(id, olds, inputs, true)).outs };
    };

    const changedOf = (patch: Obj) => [...new Set(Object.keys(patch).map((k) => k.split("/")[0]!))].sort();

    return {
        async configure(req: pulumi.dynamic.ConfigureRequest) {
            state.config = configFrom((k) => req.config.get(k));
        },

        async check(olds: Obj, raw: Obj) {
            const subset = load();
            // properties are unwrapped by checkProperties, which then never shows a sealed value in a reason
            const news: Obj = { ...unwrap(raw), properties: raw.properties };
            const failures: pulumi.dynamic.CheckFailure[] = [];
            if (news.objectType !== type) failures.push({ property: "objectType", reason: `this provider manages ${type}, not ${JSON.stringify(news.objectType)}` });
            const creating = subset.object.kind === "collection";
            const checked = checkProperties(subset, news.properties, { creating, lowercase });
            failures.push(...checked.failures);
            const inputs: Obj = { objectType: news.objectType, properties: checked.properties };
            if (news.accountId !== undefined && news.accountId !== null) {
                if (!accountScoped) failures.push({ property: "accountId", reason: `${type} is not account-scoped; accountId applies to ${ACCOUNT_SCOPED.join(", ")}` });
                else inputs.accountId = news.accountId;
            }
            inputs.adopt = news.adopt ?? olds?.adopt ?? naturalKeys().length > 0;
            inputs.providerVersion = news.providerVersion ?? defaultProviderVersion(subset);
            return { inputs, failures };
        },

        async diff(_id: string, olds: Obj, news: Obj) {
            [olds, news] = unwrap([olds, news]);
            const replaces: string[] = [];
            if (olds.objectType !== news.objectType) replaces.push("objectType");
            // state written before accountId was an input has it only in the server's view; unknown is a change, not a move
            const account = news.accountId ?? null;
            if (account !== UNKNOWN && (olds.accountId ?? (accountScoped ? olds.properties?.accountId : null) ?? null) !== account) replaces.push("accountId");
            if (!isObj(news.properties)) return { changes: true, replaces };
            const { d } = await plan(olds, news);
            if (d.replaces.length > 0) replaces.push("properties");
            const changes = replaces.length > 0 || d.changed.length > 0 || olds.providerVersion !== news.providerVersion;
            return { changes, replaces, deleteBeforeReplace: replaces.length > 0 && d.deleteBeforeReplace };
        },

        async create(inputs: Obj) {
            inputs = unwrap(inputs);
            const subset = load();
            const o = subset.object;
            const props: Obj = inputs.properties;
            const name = who(props);
            const conn = connect();
            const salt = newSalt();
            const { redacted } = redact(subset, props);
            if (o.kind === "singleton") {
                // Never a JMAP create on a singleton (it would reset every other setting): update what is given.
                const { responses } = await jmapRequest(conn, [setCall(inputs, { update: { singleton: props } }), getCall(inputs, "singleton")]);
                writeFailed(answer(responses, "s", `${type}/set`, name), "singleton", "update", name, props);
                const outs = await outputs(inputs, "singleton", viewOf(responses, name, "singleton"), salt, { changedProperties: changedOf(props), adopted: true });
                return { id: "singleton", outs };
            }
            // A create re-sent after a dropped connection may meet the first one: a natural key exposes it (adopt below).
            // Without one, the type's objects are read first (/get ids:null, up to the server's 500); the only one whose
            // view covers the inputs (secrets aside: both sides show "****") is taken instead of a new create.
            let first: JmapResult | undefined;
            for (let n = 0; !first; ) {
                try {
                    first = await jmapRequest(conn, [setCall(inputs, { create: { c0: props } }), getCall(inputs, "#c0")], { retryAfterDrop: naturalKeys().length > 0 });
                } catch (e) {
                    if (!(e as { dropped?: boolean }).dropped || ++n > 3) throw e;
                    const { responses } = await jmapRequest(conn, [[`${type}/get`, { ...scope(inputs), ids: null }, "g"]]);
                    const same: Obj[] = (answer(responses, "g", `${type}/get`, name).list ?? []).filter((o: Obj) => !diffProperties(subset, { managed: redacted, secretHashes: {}, server: o }, redacted, {}).changed.length);
                    if (same[1]) throw new Error(`${name}: objects ${same.map((o) => o.id).join(", ")} match the inputs after a dropped create: import one`, { cause: e });
                    if (same[0]) return take(inputs, String(same[0].id), same[0], salt, false);
                }
            }
            const set = answer(first.responses, "s", `${type}/set`, name);
            const created = set.created?.c0;
            if (created?.id) {
                const id = String(created.id);
                const extra: Obj = { changedProperties: changedOf(props), adopted: false };
                if (typeof created.secret === "string") extra.createdSecret = created.secret;
                // The object exists now: a failed read-back must not lose its id (it would be left unmanaged).
                const read = (r: { responses: MethodCall[] }) => viewOf(r.responses, name, id);
                const view = await Promise.resolve(first).then(read).catch(() => jmapRequest(conn, [getCall(inputs, id)]).then(read)).catch(() => undefined);
                // Still unread: keep what was written (secrets masked); the next refresh reads the rest.
                return { id, outs: await outputs(inputs, id, view ?? redacted, salt, extra) };
            }
            const err = set.notCreated?.c0;
            if (err?.type === "primaryKeyViolation" && (inputs.adopt || first.retriedAfterDrop)) return adopt(inputs, err, salt);
            throw new Error(setErrorMessage("create", name, err ?? { type: "unknown", description: "no created or notCreated entry in the response" }, secretName, undefined, props));
        },

        update: (id: string, olds: Obj, news: Obj) => update(id, unwrap(olds), unwrap(news)),

        async delete(id: string, props: Obj) {
            // A singleton cannot be destroyed; forgetting it leaves the server as it is.
            if (load().object.kind === "singleton") return;
            const name = who(props.properties ?? {}, id);
            const { responses } = await jmapRequest(connect(), [setCall(props, { destroy: [id] })]);
            const set = answer(responses, "s", `${type}/set`, name);
            if (set.notDestroyed?.[id]?.type === "notFound") return;
            writeFailed(set, id, "destroy", name);
        },

        async read(id: string, props: Obj) {
            const subset = load();
            const name = who(props.properties ?? {}, id);
            const { responses } = await jmapRequest(connect(), [getCall(props, id)]);
            const server = found(responses, name, id);
            if (!server) return { id: "", props: {} };
            const managed: Obj = isObj(props.managed) ? props.managed : {};
            const fields = topFields(subset, server);
            // /get returns every property but those it never returns (AcmeProvider EAB): they stay as written, neither drift nor a removal.
            const seen = { ...managed, ...server };
            const properties = Object.fromEntries(Object.keys(managed).map((k) => [k, project(subset, fields[k], seen[k], managed[k])]));
            const inputs: Obj = { objectType: type, properties, adopt: props.adopt, providerVersion: props.providerVersion, ...scope(props) };
            return { id, props: { ...props, properties: server }, inputs };
        },
    };
}

