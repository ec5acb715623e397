/**
 * POST /jmap: request envelope checks, method dispatch for `x:<T>/get|set|query`, accountId
 * handling, `#cid` ids in /get, RFC 8620 result references, and the per-call counters.
 */
import { MethodErrorException } from "./errors";
import { SINGLETON_ID } from "./ids";
import { ACCOUNT_CREDENTIAL_TYPES, ACCOUNT_SINGLETON_TYPES, runQuery } from "./registry";
import { resolveResultReferences } from "./references";
import { computeOnGet, type RulesEnv } from "./rules";
import type { Runtime } from "./runtime";
import { TARGETED_ACTIONS } from "./runtime";
import { runSet, type SetResultMaps } from "./set";
import { isPlainObject, type Json, type JsonObject } from "./tableView";

export const KNOWN_CAPABILITIES = new Set([
    "urn:ietf:params:jmap:core",
    "urn:stalwart:jmap",
    "urn:ietf:params:jmap:mail",
    "urn:ietf:params:jmap:submission",
    "urn:ietf:params:jmap:vacationresponse",
    "urn:ietf:params:jmap:contacts",
    "urn:ietf:params:jmap:calendars",
    "urn:ietf:params:jmap:sieve",
    "urn:ietf:params:jmap:blob",
    "urn:ietf:params:jmap:quota",
    "urn:ietf:params:jmap:principals",
    "urn:ietf:params:jmap:websocket",
]);
export const MAX_CALLS = 16;
const GET_MAX = 500;
const QUERY_MAX = 5000;
const SESSION_STATE = "3e25b2a0";

/** Request-level failure: answered as RFC 7807 problem+json. */
export interface RequestError {
    status: number;
    type: string;
    detail: string;
    limit?: string;
}

export interface Caller {
    /** the caller's own account id (the recovery admin's is u32::MAX) */
    accountId: string;
    /** may act on other accounts (impersonate) */
    admin: boolean;
    /** an API key with `permissions: Replace`: exactly these (docs/stalwart-facts.md#methods); undefined = every permission */
    permissions?: ReadonlySet<string>;
}

/** The permission a method needs (docs/stalwart-facts.md#methods): <prefix>Get/Query, and per set operation Create/Update/Destroy (singletons: Update). */
export function requiredPermissions(type: string, method: string, args: JsonObject, singleton: boolean): string[] {
    const base = `sys${type.replace(/^x:/, "")}`;
    if (method === "get") return [`${base}Get`];
    if (method === "query") return [`${base}Query`];
    const ops: string[] = [];
    if (isPlainObject(args.create) && Object.keys(args.create).length) ops.push(singleton ? "Update" : "Create");
    if (isPlainObject(args.update) && Object.keys(args.update).length) ops.push("Update");
    if (Array.isArray(args.destroy) && args.destroy.length) ops.push(singleton ? "Update" : "Destroy");
    const out = [...new Set(ops)].map((op) => `${base}${op}`);
    if (type === "x:Action" && isPlainObject(args.create)) {
        for (const a of Object.values(args.create))
            if (isPlainObject(a) && typeof a["@type"] === "string") out.push(`action${a["@type"]}`);
    }
    return out;
}

export interface Counters {
    requests: number;
    jmapRequests: number;
    jmapWrites: number;
    methodCalls: number;
    byMethod: Record<string, number>;
}

type Call = [string, JsonObject, string];

export class JmapProcessor {
    /** injected method errors: the next `n` calls of a method answer `["error", {type}]` */
    readonly methodFaults = new Map<string, { n: number; type: string }>();
    setResultMaps: SetResultMaps = "omit";
    setErrorShape: ((err: JsonObject) => JsonObject) | undefined;

    constructor(
        private readonly env: RulesEnv,
        private readonly runtime: Runtime,
        private readonly counters: Counters,
    ) {}

    handle(body: unknown, caller: Caller): { ok: JsonObject } | { error: RequestError } {
        const notRequest = (detail: string) => ({
            error: { status: 400, type: "urn:ietf:params:jmap:error:notRequest", detail },
        });
        if (!isPlainObject(body) || !Array.isArray(body.using) || !Array.isArray(body.methodCalls))
            return notRequest("Invalid JMAP request.");
        for (const cap of body.using) {
            if (typeof cap !== "string" || !KNOWN_CAPABILITIES.has(cap)) {
                return {
                    error: {
                        status: 400,
                        type: "urn:ietf:params:jmap:error:unknownCapability",
                        detail: `Unknown capability ${String(cap)}`,
                    },
                };
            }
        }
        if (body.methodCalls.length > MAX_CALLS) {
            return {
                error: {
                    status: 400,
                    type: "urn:ietf:params:jmap:error:limit",
                    limit: "maxCallsInRequest",
                    detail: `Too many method calls (max ${MAX_CALLS}).`,
                },
            };
        }
        const calls: Call[] = [];
        for (const c of body.methodCalls) {
            if (
                !Array.isArray(c) ||
                c.length !== 3 ||
                typeof c[0] !== "string" ||
                !isPlainObject(c[1]) ||
                typeof c[2] !== "string"
            ) {
                return notRequest("Invalid method call.");
            }
            calls.push([c[0], c[1], c[2]]);
        }
        const createdIds = new Map<string, string>();
        if (isPlainObject(body.createdIds))
            for (const [k, v] of Object.entries(body.createdIds)) if (typeof v === "string") createdIds.set(k, v);
        const responses: Call[] = [];
        for (const [name, rawArgs, callId] of calls) {
            this.counters.methodCalls++;
            this.counters.byMethod[name] = (this.counters.byMethod[name] ?? 0) + 1;
            const fault = this.methodFaults.get(name);
            if (fault && fault.n > 0) {
                fault.n--;
                responses.push(["error", { type: fault.type, description: "Injected failure" }, callId]);
                continue;
            }
            try {
                const args = resolveResultReferences(rawArgs, responses);
                responses.push([name, this.call(name, args, caller, createdIds), callId]);
            } catch (e) {
                if (!(e instanceof MethodErrorException)) throw e;
                responses.push(["error", { type: e.type, description: e.message }, callId]);
            }
        }
        const out: JsonObject = { methodResponses: responses as unknown as Json, sessionState: SESSION_STATE };
        if (isPlainObject(body.createdIds)) out.createdIds = Object.fromEntries(createdIds);
        return { ok: out };
    }

    private call(name: string, args: JsonObject, caller: Caller, createdIds: Map<string, string>): JsonObject {
        if (name === "Core/echo") return args;
        const m = /^x:([A-Za-z0-9]+)\/(get|set|query)$/.exec(name);
        const type = m ? `x:${m[1]}` : "";
        const d = this.env.registry.view.object(type);
        if (!m || !d || (d.kind === "singleton" && m[2] === "query"))
            throw new MethodErrorException("unknownMethod", `Unknown method ${name}.`);
        const missing = caller.permissions
            ? requiredPermissions(type, m[2]!, args, d.kind === "singleton").filter((p) => !caller.permissions!.has(p))
            : [];
        if (missing.length)
            throw new MethodErrorException("forbidden", `You do not have permission to ${missing.join(", ")}.`);
        const accountId = this.accountId(type, args.accountId, caller);
        if (m[2] === "get") return this.get(type, args, accountId, createdIds);
        if (m[2] === "query") {
            if (type === "x:Action") throw new MethodErrorException("invalidArguments", "Actions cannot be queried.");
            const rows = this.env.registry
                .visibleIds(type, accountId)
                .map((id) => [id, this.env.registry.get(type, id)!] as [string, JsonObject]);
            return { accountId, ...runQuery(this.env.registry.view, d, rows, args, QUERY_MAX) };
        }
        const writes =
            ["create", "update"].some((k) => isPlainObject(args[k]) && Object.keys(args[k]).length > 0) ||
            (Array.isArray(args.destroy) && args.destroy.length > 0);
        if (writes) this.counters.jmapWrites++;
        return runSet(
            {
                env: this.env,
                accountId,
                createdIds,
                runAction: (v) => this.action(v),
                resultMaps: this.setResultMaps,
                errorShape: this.setErrorShape,
            },
            type,
            args,
        );
    }

    /** accountId may be omitted or null (the caller's own); another account needs impersonation. */
    private accountId(type: string, given: Json | undefined, caller: Caller): string {
        if (given !== undefined && given !== null && typeof given !== "string")
            throw new MethodErrorException("invalidArguments", "Invalid accountId.");
        const id = typeof given === "string" ? given : caller.accountId;
        if (id !== caller.accountId && !caller.admin)
            throw new MethodErrorException("forbidden", "You do not have access to this account.");
        // Credentials live inside a User account; the recovery admin has none of its own.
        if (ACCOUNT_CREDENTIAL_TYPES.has(type) && this.env.registry.get("x:Account", id)?.["@type"] !== "User") {
            throw new MethodErrorException("accountNotFound", `Account ${id} is not a user account.`);
        }
        return id;
    }

    private get(type: string, args: JsonObject, accountId: string, createdIds: Map<string, string>): JsonObject {
        const { registry } = this.env;
        const singleton = registry.isSingleton(type);
        let ids: string[];
        if (args.ids === null || args.ids === undefined) {
            // Singletons are not in the id index, so ids:null never lists them.
            ids = singleton || type === "x:Action" ? [] : registry.visibleIds(type, accountId).slice(0, GET_MAX);
        } else if (Array.isArray(args.ids)) {
            if (args.ids.length > GET_MAX)
                throw new MethodErrorException("requestTooLarge", `Too many ids (max ${GET_MAX}).`);
            ids = args.ids.map((raw) => {
                const id = String(raw);
                if (!id.startsWith("#")) return id;
                const resolved = createdIds.get(id.slice(1));
                if (resolved === undefined)
                    throw new MethodErrorException("invalidResultReference", `Id reference ${id} not found.`);
                return resolved;
            });
        } else throw new MethodErrorException("invalidArguments", "ids must be an array or null.");
        const wanted = Array.isArray(args.properties) ? new Set(args.properties.map(String)) : undefined;
        const list: JsonObject[] = [];
        const notFound: string[] = [];
        const compute = (t: string, id: string, o: JsonObject) => computeOnGet(this.env, t, id, o);
        for (const id of ids) {
            let stored: JsonObject | undefined;
            if (type === "x:Action") stored = undefined;
            else if (ACCOUNT_SINGLETON_TYPES.has(type))
                stored = id === SINGLETON_ID ? registry.accountSingleton(type, accountId) : undefined;
            else if (singleton) stored = id === SINGLETON_ID ? registry.singleton(type) : undefined;
            else if (registry.visibleIds(type, accountId).includes(id)) stored = registry.get(type, id);
            if (!stored) {
                notFound.push(id);
                continue;
            }
            const full = registry.render(type, id, stored, compute);
            list.push(
                wanted ? Object.fromEntries(Object.entries(full).filter(([k]) => k === "id" || wanted.has(k))) : full,
            );
        }
        return { accountId, list, notFound };
    }

    /** x:Action variants: reloads touch the running configuration; the rest are accepted no-ops. */
    private action(variant: string) {
        if (variant === "ReloadSettings") return this.runtime.reload();
        if (TARGETED_ACTIONS[variant]) this.runtime.applyTargeted(variant);
        else if (variant === "TroubleshootDmarc" || variant === "ClassifySpam") {
            return { type: "invalidProperties", description: `${variant} is not simulated.` };
        }
        return undefined;
    }
}
