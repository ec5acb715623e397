/** diff, and the change plan diff and update share (so they agree by construction). */
import { diffProperties, hashSecrets, redact } from "../diff";
import { isObj, UNKNOWN, unwrap } from "../normalize";
import type { Ctx, Obj } from "./context";

/** What changed from the state `olds` to the inputs `news`. */
export async function changePlan(ctx: Ctx, olds: Obj, news: Obj) {
    const subset = ctx.subset();
    const { redacted, secrets } = redact(subset, news.properties);
    const oldHashes = olds.secretHashes ?? {};
    const hashes = await hashSecrets(olds.salt ?? "", secrets);
    const server = olds.properties ?? {};
    return {
        subset,
        oldHashes,
        hashes,
        server,
        d: diffProperties(subset, { managed: olds.managed ?? {}, secretHashes: oldHashes, server }, redacted, hashes),
    };
}

export async function diff(ctx: Ctx, rawOlds: Obj, rawNews: Obj) {
    const [olds, news] = unwrap([rawOlds, rawNews]) as [Obj, Obj];
    const replaces: string[] = [];
    if (olds.objectType !== news.objectType) replaces.push("objectType");
    // state written before accountId was an input has it only in the server's view; unknown is a change, not a move
    const account = news.accountId ?? null;
    const before = olds.accountId ?? (ctx.accountScoped ? olds.properties?.accountId : null) ?? null;
    if (account !== UNKNOWN && before !== account) replaces.push("accountId");
    if (!isObj(news.properties)) return { changes: true, replaces };
    const { d } = await changePlan(ctx, olds, news);
    if (d.replaces.length > 0) replaces.push("properties");
    const changes = replaces.length > 0 || d.changed.length > 0 || olds.providerVersion !== news.providerVersion;
    return { changes, replaces, deleteBeforeReplace: replaces.length > 0 && d.deleteBeforeReplace };
}
