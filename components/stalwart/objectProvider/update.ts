/** update: only the changed paths, then the object read back in the same request. */
import { buildPatch } from "../diff";
import { jmapRequest } from "../jmap";
import { changePlan } from "./compare";
import type { Ctx, Obj } from "./context";
import { extendRestore } from "./restore";

/** The top-level properties a patch touches. */
export const changedOf = (patch: Obj): string[] => [...new Set(Object.keys(patch).map((k) => k.split("/")[0]!))].sort();

/**
 * Also adopt's second half (`adopting`): then olds describe the existing object as if these inputs
 * had been written to it, and `olds.properties` is its view just read (nothing to patch: no request).
 * An adopted object keeps what it goes back to (`restore`), extended by the properties it starts to manage.
 */
export async function update(ctx: Ctx, id: string, olds: Obj, news: Obj, adopting?: boolean): Promise<{ outs: Obj }> {
    const name = ctx.who(news.properties, id);
    const { subset, oldHashes, hashes, server, d } = await changePlan(ctx, olds, news);
    if (adopting && d.replaces.length)
        throw new Error(`${name}: cannot adopt, ${d.replaces.join(", ")} differ(s) and cannot change in place`);
    const adopted = olds.adopted === true;
    const restore = adopted
        ? extendRestore(subset, olds.restore, server, olds.managed ?? {}, news.properties)
        : undefined;
    // a new variant (a singleton's @type): the server rebuilds the object from it, so it gets every input
    const patch = d.changed.includes("@type")
        ? { ...news.properties }
        : buildPatch(subset, d.changed, news.properties, server, hashes, oldHashes, restore);
    const writes = Object.keys(patch).length > 0;
    let view: Obj = server;
    if (writes || !adopting) {
        const calls = writes
            ? [ctx.setCall(news, { update: { [id]: patch } }), ctx.getCall(news, id)]
            : [ctx.getCall(news, id)];
        const { responses } = await jmapRequest(ctx.connect(), calls);
        if (writes)
            ctx.writeFailed(
                ctx.answer(responses, "s", `${ctx.type}/set`, name),
                id,
                adopting ? "adopt" : "update",
                name,
                news.properties,
            );
        view = ctx.viewOf(responses, name, id);
    }
    const keep: Obj = { changedProperties: changedOf(patch), adopted, ...(restore ? { restore } : {}) };
    if (olds.createdSecret !== undefined) keep.createdSecret = olds.createdSecret;
    return { outs: await ctx.outputs(news, id, view, olds.salt, keep) };
}
