/**
 * Pure part of convergence: from the previous and the current view of the managed objects, which
 * properties changed, and so which reload actions and whether a restart are needed.
 */
import { type Effect, effectsOf, RELOAD_ORDER, type ReloadAction } from "../effects";

/** One managed object as the convergence step sees it. */
export interface TrackedObject {
    /** the x:* type */
    objectType: string;
    /** the server's id */
    objectId: string;
    /**
     * The account an account-scoped object lives in (x:ApiKey, x:AppPassword, x:AccountSettings, …;
     * docs/stalwart-facts.md#account-scope): its /get must name it, and its ids are only unique within that account.
     */
    accountId?: string;
    /** property → a comparable value (the server's view after the write; secrets as salted hashes) */
    properties: Record<string, unknown>;
    /** properties the server computes or sets itself; never compared when verifying */
    volatile?: string[];
    /**
     * false when the deployment created the object (it is destroyed when it leaves the program); true
     * when it was adopted (it goes back to `restore` and is forgotten). Unknown (state written before
     * it was tracked) counts as adopted: such an object is never destroyed.
     */
    adopted?: boolean;
    /** the values an adopted object had before it was taken over (secrets excepted) */
    restore?: Record<string, unknown>;
}

export interface Change {
    objectType: string;
    objectId: string;
    accountId?: string;
    /** "created", "destroyed", or the properties that changed */
    what: "created" | "destroyed" | string[];
    effects: Effect[];
}

export interface ConvergencePlan {
    changes: Change[];
    reloads: ReloadAction[];
    /** one line per change that needs a restart, e.g. "x:NetworkListener b: bind" */
    restartReasons: string[];
}

type Ref = { objectType: string; objectId: string; accountId?: string };
/** Account-scoped ids (e.g. credential ids) repeat across accounts: the account is part of the identity. */
const key = (o: Ref) => `${o.objectType}/${o.accountId ?? ""}/${o.objectId}`;
const scoped = (o: Ref) => (typeof o.accountId === "string" ? { accountId: o.accountId } : {});
/** "x:NetworkListener b", or "x:ApiKey c in account d" for an account-scoped object, for messages. */
export const describeObject = (o: Ref) =>
    `${o.objectType} ${o.objectId}${typeof o.accountId === "string" ? ` in account ${o.accountId}` : ""}`;
/** JSON with object keys sorted: key order carries no meaning on the wire or in state. */
export const stable = (v: unknown): string =>
    JSON.stringify(v, (_k, x) =>
        x && typeof x === "object" && !Array.isArray(x)
            ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1)))
            : x,
    );

export function changedProperties(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...names].filter((n) => stable(before[n]) !== stable(after[n])).sort();
}

/** The objects of `before` that `after` no longer has: they left the program (or were replaced by a new id). */
export function leftObjects(before: TrackedObject[] | undefined, after: TrackedObject[]): TrackedObject[] {
    const kept = new Set(after.map(key));
    return (before ?? []).filter((o) => !kept.has(key(o)));
}

/** `before` undefined means a first apply: every object counts as created. */
export function planConvergence(before: TrackedObject[] | undefined, after: TrackedObject[]): ConvergencePlan {
    const old = new Map((before ?? []).map((o) => [key(o), o]));
    const changes: Change[] = [];
    for (const o of after) {
        const prior = old.get(key(o));
        old.delete(key(o));
        if (!prior) {
            changes.push({
                objectType: o.objectType,
                objectId: o.objectId,
                ...scoped(o),
                what: "created",
                effects: effectsOf(o.objectType, "all"),
            });
            continue;
        }
        const props = changedProperties(prior.properties, o.properties).filter((p) => !(o.volatile ?? []).includes(p));
        if (props.length)
            changes.push({
                objectType: o.objectType,
                objectId: o.objectId,
                ...scoped(o),
                what: props,
                effects: effectsOf(o.objectType, props),
            });
    }
    for (const gone of old.values()) {
        changes.push({
            objectType: gone.objectType,
            objectId: gone.objectId,
            ...scoped(gone),
            what: "destroyed",
            effects: effectsOf(gone.objectType, "all"),
        });
    }
    const needed = new Set(changes.flatMap((c) => c.effects));
    return {
        changes,
        reloads: RELOAD_ORDER.filter((a) => needed.has(a)),
        restartReasons: changes
            .filter((c) => c.effects.includes("restart"))
            .map((c) => `${describeObject(c)}: ${Array.isArray(c.what) ? c.what.join(", ") : c.what}`),
    };
}
