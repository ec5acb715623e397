/**
 * create and adopt. Every create is one HTTP request: /set and /get travel together (the /get reads
 * the new object back through `#c0`). Only the unusual paths cost more: adopting an existing object
 * reads it first, then patches only what differs; a create whose read-back failed reads the new id
 * once more (and keeps the id even if that fails too); a create without a natural key whose
 * connection dropped looks for the object it may have made first.
 */
import { diffProperties, newSalt, redact } from "../diff";
import { setErrorMessage } from "../errors";
import { type JmapResult, jmapRequest, type MethodCall } from "../jmap";
import { unwrap } from "../normalize";
import type { Ctx, Obj } from "./context";
import { changedOf, update } from "./update";

type Created = { id: string; outs: Obj };

/** As if these inputs had been written to `current` before: only the server's view decides what to patch. */
async function take(ctx: Ctx, inputs: Obj, id: string, current: Obj, salt: string, adopted: boolean): Promise<Created> {
    const olds = { managed: redact(ctx.subset(), inputs.properties).redacted, secretHashes: {}, properties: current, salt, adopted };
    return { id, outs: (await update(ctx, id, olds, inputs, true)).outs };
}

/**
 * Create met a unique-key clash: take the existing object over only when it is the one these inputs
 * name (same type, same natural key), then patch only what differs, as an update would: never
 * serverSet/immutable fields or "****", Account credentials per field so app passwords and API keys survive.
 */
async function adopt(ctx: Ctx, inputs: Obj, err: Obj, salt: string): Promise<Created> {
    const props: Obj = inputs.properties;
    const name = ctx.who(props);
    const keys = ctx.naturalKeys();
    // the existing object is `objectId`, or `existingId` (then of this type)
    const ref = err.objectId ?? {};
    const existing = String(ref.id ?? err.existingId ?? "");
    const refuse = (why: string) => new Error(setErrorMessage("create", name, err, ctx.secretName, why));
    if (!existing || String(ref.object ?? ctx.type).replace(/^x:/, "") !== ctx.type.slice(2)) throw refuse("is another kind of object");
    const outside = (Array.isArray(err.properties) ? err.properties : []).map((p: unknown) => String(p).replace(/^\//, "").split("/")[0]!).filter((p: string) => !keys.includes(p));
    if (!keys.length || outside.length) throw refuse(`clashes on ${outside.join(", ") || "a unique key"}, not on the natural key`);
    const current = ctx.found((await jmapRequest(ctx.connect(), [ctx.getCall(inputs, existing)])).responses, name, existing);
    if (!current) throw refuse("could not be read; re-run");
    if (keys.some((k) => ctx.keyValue(k, current[k]) !== ctx.keyValue(k, props[k]))) throw refuse(`is ${ctx.who(current)}`);
    return take(ctx, inputs, existing, current, salt, true);
}

/** Never a JMAP create on a singleton (it would reset every other setting): update what is given. */
async function createSingleton(ctx: Ctx, inputs: Obj, salt: string): Promise<Created> {
    const props: Obj = inputs.properties;
    const name = ctx.who(props);
    const { responses } = await jmapRequest(ctx.connect(), [ctx.setCall(inputs, { update: { singleton: props } }), ctx.getCall(inputs, "singleton")]);
    ctx.writeFailed(ctx.answer(responses, "s", `${ctx.type}/set`, name), "singleton", "update", name, props);
    const outs = await ctx.outputs(inputs, "singleton", ctx.viewOf(responses, name, "singleton"), salt, { changedProperties: changedOf(props), adopted: true });
    return { id: "singleton", outs };
}

/**
 * A create re-sent after a dropped connection may meet the first one: a natural key exposes it
 * (adopt). Without one, the type's objects are read first (/get ids:null, up to the server's 500);
 * the only one whose view covers the inputs (secrets aside: both sides show "****") is taken instead
 * of a new create.
 */
async function sendCreate(ctx: Ctx, inputs: Obj, salt: string): Promise<JmapResult | Created> {
    const subset = ctx.subset();
    const name = ctx.who(inputs.properties);
    const { redacted } = redact(subset, inputs.properties);
    for (let n = 0; ; ) {
        try {
            const calls: MethodCall[] = [ctx.setCall(inputs, { create: { c0: inputs.properties } }), ctx.getCall(inputs, "#c0")];
            return await jmapRequest(ctx.connect(), calls, { retryAfterDrop: ctx.naturalKeys().length > 0 });
        } catch (e) {
            if (!(e as { dropped?: boolean }).dropped || ++n > 3) throw e;
            const { responses } = await jmapRequest(ctx.connect(), [[`${ctx.type}/get`, { ...ctx.scope(inputs), ids: null }, "g"]]);
            const list: Obj[] = ctx.answer(responses, "g", `${ctx.type}/get`, name).list ?? [];
            const same = list.filter((o) => !diffProperties(subset, { managed: redacted, secretHashes: {}, server: o }, redacted, {}).changed.length);
            if (same[1]) throw new Error(`${name}: objects ${same.map((o) => o.id).join(", ")} match the inputs after a dropped create: import one`, { cause: e });
            if (same[0]) return take(ctx, inputs, String(same[0].id), same[0], salt, false);
        }
    }
}

export async function create(ctx: Ctx, rawInputs: Obj): Promise<Created> {
    const inputs: Obj = unwrap(rawInputs);
    const salt = newSalt();
    if (ctx.subset().object.kind === "singleton") return createSingleton(ctx, inputs, salt);
    const props: Obj = inputs.properties;
    const name = ctx.who(props);
    const first = await sendCreate(ctx, inputs, salt);
    if ("id" in first) return first;
    const set = ctx.answer(first.responses, "s", `${ctx.type}/set`, name);
    const created = set.created?.c0;
    if (created?.id) {
        const id = String(created.id);
        const extra: Obj = { changedProperties: changedOf(props), adopted: false };
        if (typeof created.secret === "string") extra.createdSecret = created.secret;
        // The object exists now: a failed read-back must not lose its id (it would be left unmanaged).
        const readBack = (r: { responses: MethodCall[] }) => ctx.viewOf(r.responses, name, id);
        const view = await Promise.resolve(first)
            .then(readBack)
            .catch(() => jmapRequest(ctx.connect(), [ctx.getCall(inputs, id)]).then(readBack))
            .catch(() => undefined);
        // Still unread: keep what was written (secrets masked); the next refresh reads the rest.
        return { id, outs: await ctx.outputs(inputs, id, view ?? redact(ctx.subset(), props).redacted, salt, extra) };
    }
    const err = set.notCreated?.c0;
    if (err?.type === "primaryKeyViolation" && (inputs.adopt || first.retriedAfterDrop)) return adopt(ctx, inputs, err, salt);
    throw new Error(setErrorMessage("create", name, err ?? { type: "unknown", description: "no created or notCreated entry in the response" }, ctx.secretName, undefined, props));
}
