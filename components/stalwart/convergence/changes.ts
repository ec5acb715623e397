/**
 * Pure part of convergence: from the previous and the current view of the managed objects, which
 * properties changed, and so which reload actions and whether a restart are needed.
 */
import { type Effect, effectsOf, RELOAD_ORDER, type ReloadAction } from "../effects";

/** One managed object as the convergence step sees it. */
export interface TrackedObject {
    objectType: string;
    objectId: string;
    /** property → a comparable value (the server's view after the write; secrets as salted hashes) */
    properties: Record<string, unknown>;
    /** properties the server computes or sets itself; never compared when verifying */
    volatile?: string[];
}

export interface Change {
    objectType: string;
    objectId: string;
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

const key = (o: { objectType: string; objectId: string }) => `${o.objectType}/${o.objectId}`;
const stable = (v: unknown): string =>
    JSON.stringify(v, (_k, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

export function changedProperties(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...names].filter((n) => stable(before[n]) !== stable(after[n])).sort();
}

/** `before` undefined means a first apply: every object counts as created. */
export function planConvergence(before: TrackedObject[] | undefined, after: TrackedObject[]): ConvergencePlan {
    const old = new Map((before ?? []).map((o) => [key(o), o]));
    const changes: Change[] = [];
    for (const o of after) {
        const prior = old.get(key(o));
        old.delete(key(o));
        if (!prior) {
            changes.push({ objectType: o.objectType, objectId: o.objectId, what: "created", effects: effectsOf(o.objectType, "all") });
            continue;
        }
        const props = changedProperties(prior.properties, o.properties).filter((p) => !(o.volatile ?? []).includes(p));
        if (props.length) changes.push({ objectType: o.objectType, objectId: o.objectId, what: props, effects: effectsOf(o.objectType, props) });
    }
    for (const gone of old.values()) {
        changes.push({ objectType: gone.objectType, objectId: gone.objectId, what: "destroyed", effects: effectsOf(gone.objectType, "all") });
    }
    const needed = new Set(changes.flatMap((c) => c.effects));
    return {
        changes,
        reloads: RELOAD_ORDER.filter((a) => needed.has(a)),
        restartReasons: changes
            .filter((c) => c.effects.includes("restart"))
            .map((c) => `${c.objectType} ${c.objectId}: ${Array.isArray(c.what) ? c.what.join(", ") : c.what}`),
    };
}
