/**
 * The provider core for Stalwart `x:*` objects: the generic dynamic provider for one object type and
 * its (compressed) schema subset, assembled from one module per step (objectProvider/). It runs
 * inside the dynamic-provider host, loaded from the bundle provider.ts ships (decision 007), so it
 * and everything it imports may use only globals and `require` inside functions. Values in the
 * engine's secret envelope are unwrapped on the way in.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configFrom } from "./credentials";
import { unwrap } from "./normalize";
import { check } from "./objectProvider/check";
import { diff } from "./objectProvider/compare";
import { makeContext, type Obj } from "./objectProvider/context";
import { create } from "./objectProvider/create";
import { read } from "./objectProvider/read";
import { remove } from "./objectProvider/remove";
import { update } from "./objectProvider/update";

/** The provider for one object type; the arguments are all it captures besides the bundled helpers. */
export function makeProvider(
    type: string,
    packed: string,
    lowercase: readonly string[],
    accountScoped: boolean,
): pulumi.dynamic.ResourceProvider {
    const ctx = makeContext(type, packed, lowercase, accountScoped);
    return {
        async configure(req: pulumi.dynamic.ConfigureRequest) {
            ctx.config = configFrom((k) => req.config.get(k));
        },
        check: (olds: Obj, news: Obj) => check(ctx, olds, news),
        diff: (_id: string, olds: Obj, news: Obj) => diff(ctx, olds, news),
        create: (inputs: Obj) => create(ctx, inputs),
        update: (id: string, olds: Obj, news: Obj) => update(ctx, id, unwrap(olds), unwrap(news)),
        read: (id: string, props: Obj) => read(ctx, id, props),
        delete: (id: string, props: Obj) => remove(ctx, id, props),
    };
}
