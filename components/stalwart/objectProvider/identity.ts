/**
 * Which object a create made, even when its answer was lost (decision 012). Before a collection
 * object is created, one request reads what already exists: the object holding the natural key
 * (then it is adopted, or the create is refused), or, for a type without one (x:Tracer,
 * x:AcmeProvider, x:DnsServer, x:Role, …), every id of the type. After a lost answer (a drop after
 * the server applied, a 502/504, a timeout) an object the create made is new: not among those ids,
 * and its view covers the inputs. A timeout or a 504 may still be applied later, so those are
 * watched for a while (twice the request timeout) before the create is sent again.
 */
import { diffProperties, redact } from "../diff";
import { DEFAULT_RETRY, jmapRequest, type MethodCall } from "../jmap";
import type { Ctx, Obj } from "./context";

/** What existed before a create. */
export interface Before {
    /** the object holding the inputs' natural key, with its id */
    existing?: Obj;
    /** every id of a type without a natural key */
    ids?: Set<string>;
}

/** Stalwart's queryMaxResults and getMaxResults: ids per /query page, objects per /get. */
const QUERY_PAGE = 5000;
const GET_MAX = 500;

/** Every id of the type (in the inputs' account), page by page. */
export async function allIds(ctx: Ctx, inputs: Obj): Promise<Set<string>> {
    const ids = new Set<string>();
    const name = ctx.who(inputs.properties);
    for (let position = 0; ; position += QUERY_PAGE) {
        const { responses } = await jmapRequest(ctx.connect(), [
            [`${ctx.type}/query`, { ...ctx.scope(inputs), position, limit: QUERY_PAGE }, "q"],
        ]);
        const page: unknown[] = ctx.answer(responses, "q", `${ctx.type}/query`, name).ids ?? [];
        for (const id of page) ids.add(String(id));
        if (page.length < QUERY_PAGE) return ids;
    }
}

/** One request: the object holding the natural key (query + get by result reference), or every id. */
export async function lookup(ctx: Ctx, inputs: Obj): Promise<Before> {
    const keys = ctx.naturalKeys();
    const props: Obj = inputs.properties;
    if (!keys.length || keys.some((k) => props[k] === undefined || props[k] === null))
        return { ids: await allIds(ctx, inputs) };
    const name = ctx.who(props);
    const filter = Object.fromEntries(keys.map((k) => [k, props[k]]));
    const ref = { resultOf: "q", name: `${ctx.type}/query`, path: "/ids" };
    const calls: MethodCall[] = [
        [`${ctx.type}/query`, { ...ctx.scope(inputs), filter }, "q"],
        [`${ctx.type}/get`, { ...ctx.scope(inputs), "#ids": ref }, "g"],
    ];
    const { responses } = await jmapRequest(ctx.connect(), calls);
    const list: Obj[] = ctx.answer(responses, "g", `${ctx.type}/get`, name).list ?? [];
    return { existing: list.find((o) => keys.every((k) => ctx.keyValue(k, o[k]) === ctx.keyValue(k, props[k]))) };
}

/** How long a create that may still be applied is watched for: twice the request timeout. */
export const lateApplyWindowMs = (ctx: Ctx): number => 2 * (ctx.connect().timeoutMs ?? DEFAULT_RETRY.timeoutMs);

/**
 * The object a create whose answer was lost made: new since `before` and covering the inputs
 * (secrets aside: the server shows "****"). Watched for `waitMs`; undefined when none appeared.
 */
export async function findOwn(
    ctx: Ctx,
    inputs: Obj,
    before: Set<string>,
    waitMs: number,
    cause: unknown,
): Promise<Obj | undefined> {
    const subset = ctx.subset();
    const { redacted } = redact(subset, inputs.properties);
    const covers = (o: Obj) =>
        diffProperties(subset, { managed: redacted, secretHashes: {}, server: o }, redacted, {}).changed.length === 0;
    // the newest objects first (a query's default order is id descending): a new one is among them
    const calls: MethodCall[] = [
        [`${ctx.type}/query`, { ...ctx.scope(inputs), limit: GET_MAX }, "q"],
        [
            `${ctx.type}/get`,
            { ...ctx.scope(inputs), "#ids": { resultOf: "q", name: `${ctx.type}/query`, path: "/ids" } },
            "g",
        ],
    ];
    const deadline = Date.now() + waitMs;
    for (;;) {
        const { responses } = await jmapRequest(ctx.connect(), calls);
        const list: Obj[] = ctx.answer(responses, "g", `${ctx.type}/get`, ctx.who(inputs.properties)).list ?? [];
        const own = list.filter((o) => !before.has(String(o.id)) && covers(o));
        if (own.length > 1) {
            const ids = own.map((o) => o.id).join(", ");
            throw new Error(
                `${ctx.who(inputs.properties)}: objects ${ids} appeared with these properties after a lost answer (another resource with the same properties?); import one of them and delete the others`,
                { cause },
            );
        }
        if (own[0]) return own[0];
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        await new Promise((r) => setTimeout(r, Math.min(left, Math.max(100, waitMs / 10))));
    }
}
