/** delete: a collection object is destroyed (already gone is success); a singleton is only forgotten. */
import { jmapRequest } from "../jmap";
import type { Ctx, Obj } from "./context";

export async function remove(ctx: Ctx, id: string, props: Obj): Promise<void> {
    // A singleton cannot be destroyed; forgetting it leaves the server as it is.
    if (ctx.subset().object.kind === "singleton") return;
    const name = ctx.who(props.properties ?? {}, id);
    const { responses } = await jmapRequest(ctx.connect(), [ctx.setCall(props, { destroy: [id] })]);
    const set = ctx.answer(responses, "s", `${ctx.type}/set`, name);
    if (set.notDestroyed?.[id]?.type === "notFound") return;
    ctx.writeFailed(set, id, "destroy", name);
}
