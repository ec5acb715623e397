/**
 * The generic dynamic provider for Stalwart `x:*` objects, for one object type and its (compressed)
 * schema subset. It runs inside the dynamic-provider host, loaded from the bundle provider.ts
 * builds, so it may use only globals, its arguments and the sibling modules of that bundle; node
 * modules are `require`d inside functions. Every CRUD call is one HTTP request: /set and /get
 * travel together (the /get reads a create back through `#c0`).
 */
import type * as pulumi from "@pulumi/pulumi";
import { configFrom, resolveConnection, type StalwartConfig } from "./credentials";
import { buildPatch, diffProperties, hashSecrets, newSalt, project, redact, sha256, stable, topFields } from "./diff";
import { methodErrorMessage, setErrorMessage } from "./errors";
import { jmapRequest, type MethodCall } from "./jmap";
import { checkProperties, isObj } from "./normalize";
import type { ObjectSchemaSubset } from "./schema/types";

/** Bump when the provider's behaviour changes, so `providerVersion` forces an update everywhere. */
export const PROVIDER_CODE_VERSION = "1";

/** Objects that live inside the account named by `accountId` (stalwart-api.md §1.2). */
export const ACCOUNT_SCOPED: readonly string[] = [
    "x:AccountPassword", "x:AccountSettings", "x:ApiKey", "x:AppPassword", "x:ArchivedItem", "x:MaskedEmail", "x:PublicKey", "x:SpamTrainingSample",
];

/** Top-level properties whose strings Stalwart lower-cases (domain names, local parts). */
export const LOWERCASE_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
    "x:Domain": ["name", "aliases"],
    "x:Account": ["name"],
    "x:MailingList": ["name"],
};

export const defaultProviderVersion = (subset: ObjectSchemaSubset) => `${subset.source.version}+p${PROVIDER_CODE_VERSION}`;

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
    /** `x:Domain "example.test"`, `x:Account name=… domainId=…` or `x:Tracer id "x"`, for messages. */
    const who = (props: Obj, id?: string) => {
        const o = load().object;
        const key = o.naturalKeyComposite ? o.naturalKeyComposite.map((k) => `${k}=${JSON.stringify(props?.[k])}`).join(" ") : o.naturalKey && props?.[o.naturalKey] !== undefined ? JSON.stringify(props[o.naturalKey]) : "";
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
    const viewOf = (responses: MethodCall[], name: string) => {
        const view = answer(responses, "g", `${type}/get`, name).list?.[0];
        if (!isObj(view)) throw new Error(`${name}: ${type}/get returned no object after the write`);
        const { id: _id, ...properties } = view;
        return properties;
    };
    /** Outputs kept in state: never a plaintext secret, only salted hashes and the masked server view. */
    const outputs = async (inputs: Obj, id: string, server: Obj, salt: string, extra: Obj) => {
        const { redacted, secrets } = redact(load(), inputs.properties);
        const secretHashes = await hashSecrets(salt, secrets);
        const contentHash = await sha256(stable({ type, managed: redacted, secretHashes }));
        return { objectType: type, objectId: id, ...scope(inputs), adopt: inputs.adopt, providerVersion: inputs.providerVersion, properties: server, managed: redacted, secretHashes, salt, contentHash, ...extra };
    };
    const writeFailed = (set: Obj, key: string, op: string, name: string) => {
        const err = (set.notCreated ?? set.notUpdated ?? set.notDestroyed)?.[key];
        if (err) throw new Error(setErrorMessage(op, name, err, secretName));
    };

    return {
        async configure(req: pulumi.dynamic.ConfigureRequest) {
            state.config = configFrom((k) => req.config.get(k));
        },

        async check(olds: Obj, news: Obj) {
            const subset = load();
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
            inputs.adopt = news.adopt ?? olds?.adopt ?? Boolean(subset.object.naturalKey || subset.object.naturalKeyComposite);
            inputs.providerVersion = news.providerVersion ?? defaultProviderVersion(subset);
            return { inputs, failures };
        },

        async diff(_id: string, olds: Obj, news: Obj) {
            const replaces: string[] = [];
            if (olds.objectType !== news.objectType) replaces.push("objectType");
            if ((olds.accountId ?? null) !== (news.accountId ?? null)) replaces.push("accountId");
            if (!isObj(news.properties)) return { changes: true, replaces };
            const subset = load();
            const { redacted, secrets } = redact(subset, news.properties);
            const hashes = await hashSecrets(olds.salt ?? "", secrets);
            const d = diffProperties(subset, { managed: olds.managed ?? {}, secretHashes: olds.secretHashes ?? {}, server: olds.properties ?? {} }, redacted, hashes);
            if (d.replaces.length > 0) replaces.push("properties");
            const changes = replaces.length > 0 || d.changed.length > 0 || olds.providerVersion !== news.providerVersion;
            return { changes, replaces, deleteBeforeReplace: replaces.length > 0 && d.deleteBeforeReplace };
        },

        async create(inputs: Obj) {
            const subset = load();
            const o = subset.object;
            const props: Obj = inputs.properties;
            const name = who(props);
            const conn = connect();
            const salt = newSalt();
            if (o.kind === "singleton") {
                // Never a JMAP create on a singleton (it would reset every other setting): update what is given.
                const { responses } = await jmapRequest(conn, [setCall(inputs, { update: { singleton: props } }), getCall(inputs, "singleton")]);
                writeFailed(answer(responses, "s", `${type}/set`, name), "singleton", "update", name);
                const outs = await outputs(inputs, "singleton", viewOf(responses, name), salt, { changedProperties: Object.keys(props).sort(), adopted: true });
                return { id: "singleton", outs };
            }
            const natural = Boolean(o.naturalKey || o.naturalKeyComposite);
            // A create re-sent after a dropped connection is only safe when a natural key exposes the first one.
            const first = await jmapRequest(conn, [setCall(inputs, { create: { c0: props } }), [`${type}/get`, { ...scope(inputs), ids: ["#c0"] }, "g"]], { retryAfterDrop: natural });
            const set = answer(first.responses, "s", `${type}/set`, name);
            const created = set.created?.c0;
            if (created?.id) {
                const extra: Obj = { changedProperties: Object.keys(props).sort(), adopted: false };
                if (typeof created.secret === "string") extra.createdSecret = created.secret;
                return { id: String(created.id), outs: await outputs(inputs, String(created.id), viewOf(first.responses, name), salt, extra) };
            }
            const err = set.notCreated?.c0;
            const existing = err?.objectId?.id;
            if (err?.type === "primaryKeyViolation" && typeof existing === "string" && (inputs.adopt || first.retriedAfterDrop)) {
                // Adopt: take the existing object over and bring it to the inputs (immutable and @type cannot be patched).
                const fields = topFields(subset, props);
                const patch = Object.fromEntries(Object.entries(props).filter(([k]) => fields[k]?.update === "mutable"));
                const named = who(props, existing);
                const { responses } = await jmapRequest(conn, [setCall(inputs, { update: { [existing]: patch } }), getCall(inputs, existing)]);
                writeFailed(answer(responses, "s", `${type}/set`, named), existing, "adopt", named);
                const outs = await outputs(inputs, existing, viewOf(responses, named), salt, { changedProperties: Object.keys(patch).sort(), adopted: true });
                return { id: existing, outs };
            }
            throw new Error(setErrorMessage("create", name, err ?? { type: "unknown", description: "no created or notCreated entry in the response" }, secretName));
        },

        async update(id: string, olds: Obj, news: Obj) {
            const subset = load();
            const name = who(news.properties, id);
            const { redacted, secrets } = redact(subset, news.properties);
            const oldHashes = olds.secretHashes ?? {};
            const hashes = await hashSecrets(olds.salt, secrets);
            const server = olds.properties ?? {};
            const d = diffProperties(subset, { managed: olds.managed ?? {}, secretHashes: oldHashes, server }, redacted, hashes);
            const patch = buildPatch(subset, d.changed, news.properties, server, hashes, oldHashes);
            const calls = Object.keys(patch).length > 0 ? [setCall(news, { update: { [id]: patch } }), getCall(news, id)] : [getCall(news, id)];
            const { responses } = await jmapRequest(connect(), calls);
            if (calls.length > 1) writeFailed(answer(responses, "s", `${type}/set`, name), id, "update", name);
            const changedProperties = [...new Set(Object.keys(patch).map((k) => k.split("/")[0]!))].sort();
            const keep: Obj = { changedProperties, adopted: olds.adopted ?? false };
            if (olds.createdSecret !== undefined) keep.createdSecret = olds.createdSecret;
            return { outs: await outputs(news, id, viewOf(responses, name), olds.salt, keep) };
        },

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
            const got = answer(responses, "g", `${type}/get`, name);
            const view = got.list?.find((x: Obj) => x?.id === id);
            if (!isObj(view)) return { id: "", props: {} };
            const { id: _id, ...server } = view;
            const managed: Obj = isObj(props.managed) ? props.managed : {};
            const fields = topFields(subset, server);
            const properties = Object.fromEntries(Object.keys(managed).filter((k) => k in server).map((k) => [k, project(subset, fields[k], server[k], managed[k])]));
            const inputs: Obj = { objectType: type, properties, adopt: props.adopt, providerVersion: props.providerVersion, ...scope(props) };
            return { id, props: { ...props, properties: server }, inputs };
        },
    };
}

