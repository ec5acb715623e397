/**
 * create and adopt (decision 012). A singleton is never JMAP-created: its given properties are
 * updated, reading what they were first (one request). A collection object costs one request to see
 * what exists (identity.ts), then either adopts the object holding its natural key (a patch of what
 * differs, none when nothing does) or creates it with its read-back in one request (/set and the /get
 * of `#c0`). Adopted objects record the values they go back to; created ones are marked so.
 */
import { newSalt, redact } from "../diff";
import { setErrorMessage } from "../errors";
import { isDropped, type JmapResult, jmapRequest, type MethodCall } from "../jmap";
import { unwrap } from "../normalize";
import type { Ctx, Obj } from "./context";
import { type Before, findOwn, lateApplyWindowMs, lookup } from "./identity";
import { restoreValues } from "./restore";
import { changedOf, update } from "./update";

type Created = { id: string; outs: Obj };

/** As if these inputs had been written to `current` before: only the server's view decides what to patch. */
async function take(ctx: Ctx, inputs: Obj, id: string, current: Obj, salt: string, adopted: boolean): Promise<Created> {
    const { id: _id, ...view } = current;
    const managed = redact(ctx.subset(), inputs.properties).redacted;
    const restore = adopted ? restoreValues(ctx.subset(), view, Object.keys(managed)) : undefined;
    const olds = { managed, secretHashes: {}, properties: view, salt, adopted, ...(restore ? { restore } : {}) };
    return { id, outs: (await update(ctx, id, olds, inputs, true)).outs };
}

/**
 * Create met a unique-key clash: take the existing object over only when it is the one these inputs
 * name (same type, same natural key): it is this resource's own when a lost attempt made it
 * (`ours`), else adopted. Never a clash on another key or with another type.
 */
async function takeClash(ctx: Ctx, inputs: Obj, err: Obj, salt: string, ours: boolean): Promise<Created> {
    const props: Obj = inputs.properties;
    const name = ctx.who(props);
    const keys = ctx.naturalKeys();
    // the existing object is `objectId`, or `existingId` (then of this type)
    const ref = err.objectId ?? {};
    const existing = String(ref.id ?? err.existingId ?? "");
    const refuse = (why: string) => new Error(setErrorMessage("create", name, err, ctx.secretName, why));
    if (!existing || String(ref.object ?? ctx.type).replace(/^x:/, "") !== ctx.type.slice(2))
        throw refuse("is another kind of object");
    const outside = (Array.isArray(err.properties) ? err.properties : [])
        .map((p: unknown) => String(p).replace(/^\//, "").split("/")[0]!)
        .filter((p: string) => !keys.includes(p));
    if (!keys.length || outside.length)
        throw refuse(`clashes on ${outside.join(", ") || "a unique key"}, not on the natural key`);
    const current = ctx.found(
        (await jmapRequest(ctx.connect(), [ctx.getCall(inputs, existing)])).responses,
        name,
        existing,
    );
    if (!current) throw refuse("could not be read; re-run");
    if (keys.some((k) => ctx.keyValue(k, current[k]) !== ctx.keyValue(k, props[k])))
        throw refuse(`is ${ctx.who(current)}`);
    return take(ctx, inputs, existing, current, salt, !ours);
}

/** Never a JMAP create on a singleton (it would reset every other setting): update what is given, reading it first. */
async function createSingleton(ctx: Ctx, inputs: Obj, salt: string): Promise<Created> {
    const props: Obj = inputs.properties;
    const name = ctx.who(props);
    const calls: MethodCall[] = [
        [`${ctx.type}/get`, { ...ctx.scope(inputs), ids: ["singleton"] }, "b"],
        ctx.setCall(inputs, { update: { singleton: props } }),
        ctx.getCall(inputs, "singleton"),
    ];
    const { responses } = await jmapRequest(ctx.connect(), calls);
    ctx.writeFailed(ctx.answer(responses, "s", `${ctx.type}/set`, name), "singleton", "update", name, props);
    const before = ctx.found(responses, name, "singleton", "b") ?? {};
    const restore = restoreValues(ctx.subset(), before, Object.keys(redact(ctx.subset(), props).redacted));
    const outs = await ctx.outputs(inputs, "singleton", ctx.viewOf(responses, name, "singleton"), salt, {
        changedProperties: changedOf(props),
        adopted: true,
        restore,
    });
    return { id: "singleton", outs };
}

/**
 * The create request, re-sent after a lost answer: a type with a natural key re-sends it (a clash
 * with its own first attempt is taken back); a type without one first looks for what the lost
 * attempt made (identity.ts) and takes it instead of creating a twin.
 */
async function sendCreate(ctx: Ctx, inputs: Obj, before: Before, salt: string): Promise<JmapResult | Created> {
    const calls: MethodCall[] = [
        ctx.setCall(inputs, { create: { c0: inputs.properties } }),
        ctx.getCall(inputs, "#c0"),
    ];
    for (let attempt = 1; ; attempt++) {
        try {
            return await jmapRequest(ctx.connect(), calls, { retryAfterDrop: before.ids === undefined });
        } catch (e) {
            if (!isDropped(e) || attempt > 3 || !before.ids) throw e;
            const own = await findOwn(ctx, inputs, before.ids, e.inFlight ? lateApplyWindowMs(ctx) : 0, e);
            if (own) return take(ctx, inputs, String(own.id), own, salt, false);
        }
    }
}

/** The new object and its read-back; a failed read-back keeps the id (else it would be left unmanaged). */
async function created(ctx: Ctx, inputs: Obj, result: JmapResult, done: Obj, salt: string): Promise<Created> {
    const props: Obj = inputs.properties;
    const name = ctx.who(props);
    const id = String(done.id);
    const extra: Obj = { changedProperties: changedOf(props), adopted: false };
    if (typeof done.secret === "string") extra.createdSecret = done.secret;
    const readBack = (r: { responses: MethodCall[] }) => ctx.viewOf(r.responses, name, id);
    const view = await Promise.resolve(result)
        .then(readBack)
        .catch(() => jmapRequest(ctx.connect(), [ctx.getCall(inputs, id)]).then(readBack))
        .catch(() => undefined);
    // Still unread: keep what was written (secrets masked); the next refresh reads the rest.
    return { id, outs: await ctx.outputs(inputs, id, view ?? redact(ctx.subset(), props).redacted, salt, extra) };
}

export async function create(ctx: Ctx, rawInputs: Obj): Promise<Created> {
    const inputs: Obj = unwrap(rawInputs);
    const salt = newSalt();
    if (ctx.subset().object.kind === "singleton") return createSingleton(ctx, inputs, salt);
    const props: Obj = inputs.properties;
    const name = ctx.who(props);
    const before = await lookup(ctx, inputs);
    if (before.existing && inputs.adopt)
        return take(ctx, inputs, String(before.existing.id), before.existing, salt, true);
    const result = await sendCreate(ctx, inputs, before, salt);
    if ("id" in result) return result;
    const set = ctx.answer(result.responses, "s", `${ctx.type}/set`, name);
    if (set.created?.c0?.id) return created(ctx, inputs, result, set.created.c0, salt);
    const err = set.notCreated?.c0;
    // a clash after a re-send is this resource's own lost attempt when the key was free before it
    const ours = result.retriedAfterDrop && !before.existing;
    if (err?.type === "primaryKeyViolation" && (inputs.adopt || ours)) return takeClash(ctx, inputs, err, salt, ours);
    throw new Error(
        setErrorMessage(
            "create",
            name,
            err ?? { type: "unknown", description: "no created or notCreated entry in the response" },
            ctx.secretName,
            undefined,
            props,
        ),
    );
}
