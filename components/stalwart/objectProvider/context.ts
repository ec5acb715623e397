/**
 * What every step of the x:* provider shares: the object type and its schema subset, the configured
 * connection, how to name an object in a message, and how to build and read the JMAP calls of one
 * request. Pure closures over the factory's arguments: the bundle may use only globals and `require`
 * inside functions.
 */
import { resolveConnection, type StalwartConfig, type StalwartConnection } from "../credentials";
import { hashSecrets, redact, sha256, stable } from "../diff";
import { methodErrorMessage, setErrorMessage } from "../errors";
import type { MethodCall } from "../jmap";
import { isObj } from "../normalize";
import type { ObjectSchemaSubset } from "../schema/types";
import type { EngineRecord } from "../../bundledProvider";

/** The engine's untyped records (components/bundledProvider.ts). */
export type Obj = EngineRecord;

export type WriteOp = "update" | "adopt" | "destroy";

export interface Ctx {
    readonly type: string;
    /** top-level properties whose strings Stalwart lower-cases */
    readonly lowercase: readonly string[];
    readonly accountScoped: boolean;
    /** the `stalwart:*` config handed to configure */
    config: StalwartConfig;
    subset(): ObjectSchemaSubset;
    connect(): StalwartConnection;
    /** the properties that name an object: the natural key, or the composite one */
    naturalKeys(): string[];
    /** `x:Domain "example.test"`, `x:Account name=… domainId=…` or `x:Tracer (id "x")`, for messages */
    who(props: Obj | undefined, id?: string): string;
    secretName(path: string): boolean;
    /** `{accountId}` for an account-scoped object that names one, else nothing */
    scope(inputs: Obj): Obj;
    getCall(inputs: Obj, id: string): MethodCall;
    setCall(inputs: Obj, args: Obj): MethodCall;
    /** the arguments of one method response; a method error is thrown as a message */
    answer(responses: MethodCall[], callId: string, method: string, name: string): Obj;
    /** object `id` in the /get answer `callId` (default "g") without its id; undefined when absent */
    found(responses: MethodCall[], name: string, id: string, callId?: string): Obj | undefined;
    viewOf(responses: MethodCall[], name: string, id: string): Obj;
    /** outputs kept in state: never a plaintext secret, only salted hashes and the masked server view */
    outputs(inputs: Obj, id: string, server: Obj, salt: string, extra: Obj): Promise<Obj>;
    /** throws the SetError of `key`, or when the response confirms neither success nor failure */
    writeFailed(set: Obj, key: string, op: WriteOp, name: string, props?: Obj): void;
    /** a natural-key value as Stalwart compares it (lower-cased where it lower-cases) */
    keyValue(k: string, v: unknown): string;
}

export function makeContext(type: string, packed: string, lowercase: readonly string[], accountScoped: boolean): Ctx {
    let subset: ObjectSchemaSubset | undefined;
    const load = (): ObjectSchemaSubset => {
        subset ??= JSON.parse(
            require("node:zlib").brotliDecompressSync(Buffer.from(packed, "base64")).toString("utf8"),
        );
        return subset!;
    };
    const ctx: Ctx = {
        type,
        lowercase,
        accountScoped,
        config: {},
        subset: load,
        connect: () => resolveConnection(globalThis.process.env, ctx.config),
        naturalKeys() {
            const o = load().object;
            return o.naturalKeyComposite ?? (o.naturalKey ? [o.naturalKey] : []);
        },
        who(props, id) {
            const [k, ...more] = ctx.naturalKeys();
            const key = more.length
                ? [k!, ...more].map((p) => `${p}=${JSON.stringify(props?.[p])}`).join(" ")
                : k && props?.[k] !== undefined
                  ? JSON.stringify(props[k])
                  : "";
            return `${type}${key ? ` ${key}` : ""}${id ? ` (id ${JSON.stringify(id)})` : ""}`;
        },
        secretName: (p) => /secret|password|otp|token|key$/i.test(p),
        scope: (inputs) =>
            accountScoped && typeof inputs.accountId === "string" ? { accountId: inputs.accountId } : {},
        getCall: (inputs, id) => [`${type}/get`, { ...ctx.scope(inputs), ids: [id] }, "g"],
        setCall: (inputs, args) => [`${type}/set`, { ...ctx.scope(inputs), ...args }, "s"],
        answer(responses, callId, method, name) {
            const r = responses.find((x) => x[2] === callId);
            if (!r) throw new Error(`${name}: the server sent no response to ${method}`);
            if (r[0] === "error") throw new Error(methodErrorMessage(method, name, r[1]));
            return r[1] as Obj;
        },
        found(responses, name, id, callId = "g") {
            const view = ctx
                .answer(responses, callId, `${type}/get`, name)
                .list?.find?.((x: unknown) => isObj(x) && String(x.id) === id);
            if (!isObj(view)) return undefined;
            const { id: _id, ...properties } = view;
            return properties;
        },
        viewOf(responses, name, id) {
            const view = ctx.found(responses, name, id);
            if (!view) throw new Error(`${name}: ${type}/get returned no object after the write`);
            return view;
        },
        async outputs(inputs, id, server, salt, extra) {
            const { redacted, secrets } = redact(load(), inputs.properties);
            const secretHashes = await hashSecrets(salt, secrets);
            const contentHash = await sha256(stable({ type, managed: redacted, secretHashes }));
            return {
                objectType: type,
                objectId: id,
                ...ctx.scope(inputs),
                adopt: inputs.adopt,
                providerVersion: inputs.providerVersion,
                properties: server,
                managed: redacted,
                secretHashes,
                salt,
                contentHash,
                ...extra,
            };
        },
        writeFailed(set, key, op, name, props) {
            const err = (op === "destroy" ? set.notDestroyed : set.notUpdated)?.[key];
            if (err) throw new Error(setErrorMessage(op, name, err, ctx.secretName, undefined, props));
            const confirmed =
                op === "destroy" ? set.destroyed?.includes?.(key) : isObj(set.updated) && key in set.updated;
            if (!confirmed) throw new Error(`${name}: ${type}/set did not confirm the ${op}; re-run to reconcile`);
        },
        keyValue: (k, v) => stable(typeof v === "string" && lowercase.includes(k) ? v.trim().toLowerCase() : v),
    };
    return ctx;
}
