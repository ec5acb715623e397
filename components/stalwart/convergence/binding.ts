/**
 * The OIDC default-directory binding, in the one order that keeps it reliable (Stalwart builds a
 * directory at boot and at each ReloadSettings, fetching discovery and JWKS; a directory that
 * failed to build is left out of the running server while the stored id stays):
 *
 * 1. a ReloadSettings succeeds, retried as a readiness gate, so the directory has built: with the
 *    identity provider never ready the up fails here, naming the issuer, and no binding changes;
 * 2. only then `x:Authentication.directoryId` is written (an update of that one property, never a
 *    singleton create, which would reset the default role lists), and a ReloadSettings applies it
 *    live; if that reload fails the previous value is written back;
 * 3. GET /api/discover/<address> must show the identity provider's issuer.
 *
 * The binding is read back first on every run, so one that reads back empty (e.g. after the
 * restart earlier in the same up) is bound and verified again. Globals and local modules only: it
 * is bundled into the convergence provider.
 */
import type { StalwartConnection } from "../credentials";
import { jmapRequest } from "../jmap";
import { isObj } from "../normalize";
import type { TrackedObject } from "./changes";

/** What the convergence run lends the binding: its readiness-gated reload and its /api/discover check. */
export interface BindingSteps {
    /** ReloadSettings, retried with backoff as a readiness gate; throws after the last attempt */
    reload(): Promise<void>;
    /** proves the binding in `objects`' x:Authentication effective through /api/discover; "issuer" when it is */
    verify(objects: TrackedObject[]): Promise<string>;
}

const SINGLETON = "singleton";

/** The issuer of a tracked directory, for messages (its id when the object is not tracked). */
export function issuerOf(objects: TrackedObject[], directoryId: string): string {
    const dir = objects.find((o) => o.objectType === "x:Directory" && o.objectId === directoryId);
    return typeof dir?.properties.issuerUrl === "string" ? dir.properties.issuerUrl : `of x:Directory ${directoryId}`;
}

/**
 * Runs a readiness-gated step; when it gives up because the directory did not build, the error
 * names the issuer and says the binding is untouched (another object's failure is passed on as it is).
 */
export async function gateNamingIssuer<T>(
    objects: TrackedObject[],
    directoryId: string,
    step: () => Promise<T>,
): Promise<T> {
    try {
        return await step();
    } catch (e) {
        const message = (e as Error).message;
        if (!message.includes(`x:Directory ${directoryId}`))
            throw new Error(`${message} x:Authentication.directoryId was not changed.`, { cause: e });
        const issuer = issuerOf(objects, directoryId);
        throw new Error(
            `the identity provider ${issuer} never became ready for Stalwart (its OIDC directory ${directoryId} did not build): ${message} ` +
                `x:Authentication.directoryId was not changed. Make ${issuer.replace(/\/$/, "")}/.well-known/openid-configuration and its JWKS reachable from the Stalwart container (with a publicly valid certificate), then run \`pulumi up\` again.`,
            { cause: e },
        );
    }
}

/** The stored default directory (null when unset). Always by id "singleton": an id-less /get of a singleton lists nothing. */
export async function readBinding(conn: StalwartConnection): Promise<string | null> {
    const { responses } = await jmapRequest(conn, [
        ["x:Authentication/get", { ids: [SINGLETON], properties: ["directoryId"] }, "a"],
    ]);
    const [name, args] = responses.find((r) => r?.[2] === "a") ?? [];
    if (name !== "x:Authentication/get" || !isObj(args) || !Array.isArray(args.list)) {
        throw new Error(
            `x:Authentication/get answered ${name === "error" && isObj(args) ? `${String(args.type)}: ${String(args.description ?? "")}` : "no object"}; cannot read the default directory`,
        );
    }
    const value = isObj(args.list[0]) ? args.list[0].directoryId : null;
    return typeof value === "string" && value !== "" ? value : null;
}

/** Writes only directoryId, as an update. */
async function writeBinding(conn: StalwartConnection, directoryId: string | null): Promise<void> {
    const { responses } = await jmapRequest(conn, [
        ["x:Authentication/set", { update: { [SINGLETON]: { directoryId } } }, "b"],
    ]);
    const [name, args] = responses.find((r) => r?.[2] === "b") ?? [];
    const err = isObj(args) && isObj(args.notUpdated) ? args.notUpdated[SINGLETON] : undefined;
    if (name !== "x:Authentication/set" || err || !(isObj(args) && isObj(args.updated) && SINGLETON in args.updated)) {
        const why =
            err && isObj(err)
                ? `${String(err.type)}: ${String(err.description ?? "")}`
                : name === "error" && isObj(args)
                  ? String(args.type)
                  : "not confirmed";
        throw new Error(`x:Authentication.directoryId = ${String(directoryId)} was refused (${why})`);
    }
}

/**
 * Makes `directoryId` the effective default directory. `gatePassed`: a ReloadSettings succeeded in
 * this run after the last restart, so the directory is already known to build.
 */
export async function bindDefaultDirectory(
    conn: StalwartConnection,
    objects: TrackedObject[],
    directoryId: string,
    steps: BindingSteps,
    gatePassed: boolean,
): Promise<string> {
    const current = await readBinding(conn);
    if (current !== directoryId) {
        if (!gatePassed) await gateNamingIssuer(objects, directoryId, () => steps.reload());
        await writeBinding(conn, directoryId);
        try {
            await steps.reload();
        } catch (e) {
            // the directory stopped building between the gate and now: leave the binding as it was
            await writeBinding(conn, current);
            await gateNamingIssuer(objects, directoryId, () => Promise.reject(e));
        }
    }
    const auth: TrackedObject = { objectType: "x:Authentication", objectId: SINGLETON, properties: { directoryId } };
    return steps.verify([...objects, auth]);
}

/**
 * A directory removed from the stack cannot be destroyed while it is the default (objectIsLinked):
 * the binding to it is cleared first, and the running server falls back to internal authentication.
 */
export async function unbindRemoved(
    conn: StalwartConnection,
    before: TrackedObject[] | undefined,
    after: TrackedObject[],
    steps: Pick<BindingSteps, "reload">,
): Promise<void> {
    const kept = new Set(after.filter((o) => o.objectType === "x:Directory").map((o) => o.objectId));
    const removed = (before ?? [])
        .filter((o) => o.objectType === "x:Directory" && !kept.has(o.objectId))
        .map((o) => o.objectId);
    if (removed.length === 0) return;
    const current = await readBinding(conn);
    if (current === null || !removed.includes(current)) return;
    await writeBinding(conn, null);
    await steps.reload();
}
