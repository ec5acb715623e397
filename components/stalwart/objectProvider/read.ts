/** read: the server's current view, so `pulumi refresh` shows drift; an object deleted by hand reads as gone. */
import { project, topFields } from "../diff";
import { jmapRequest } from "../jmap";
import { isObj } from "../normalize";
import type { Ctx, Obj } from "./context";

export async function read(ctx: Ctx, id: string, props: Obj) {
    const subset = ctx.subset();
    const name = ctx.who(props.properties ?? {}, id);
    const { responses } = await jmapRequest(ctx.connect(), [ctx.getCall(props, id)]);
    const server = ctx.found(responses, name, id);
    if (!server) return { id: "", props: {} };
    const managed: Obj = isObj(props.managed) ? props.managed : {};
    const fields = topFields(subset, server);
    // /get returns every property but those it never returns (AcmeProvider EAB): they stay as written, neither drift nor a removal.
    const seen = { ...managed, ...server };
    const properties = Object.fromEntries(
        Object.keys(managed).map((k) => [k, project(subset, fields[k], seen[k], managed[k])]),
    );
    const inputs: Obj = {
        objectType: ctx.type,
        properties,
        adopt: props.adopt,
        providerVersion: props.providerVersion,
        ...ctx.scope(props),
    };
    return { id, props: { ...props, properties: server }, inputs };
}
