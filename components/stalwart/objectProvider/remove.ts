/**
 * delete (decision 012): an adopted object (every singleton, anything taken over) goes back to the
 * values it had before and is forgotten, never destroyed; an object this resource created is
 * destroyed, with what the server made for it, in one go (already gone is success: the convergence
 * may have retired it in the same up). One that other objects still reference is kept on the server
 * and forgotten, and a warning names them: a delete never fails a destroy on a link.
 */
import { type Retiree, retire } from "../retire";
import type { Ctx, Obj } from "./context";

export async function remove(ctx: Ctx, id: string, props: Obj): Promise<void> {
    const singleton = ctx.subset().object.kind === "singleton";
    // an object adopted before restore values were recorded has none: it is only forgotten
    const item: Retiree = {
        objectType: ctx.type,
        objectId: id,
        ...ctx.scope(props),
        adopted: singleton || props.adopted === true,
        restore: props.restore ?? {},
        label: ctx.who(props.managed ?? props.properties ?? {}, id),
    };
    const { kept } = await retire(ctx.connect(), [item]);
    for (const line of kept) console.warn(`warning: ${line} Pulumi no longer manages it.`);
}
