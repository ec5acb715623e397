/**
 * Retiring x:* objects that leave the program or are deleted (decision 012): an adopted object (a
 * singleton, a first-boot default, anything taken over by its natural key) goes back to the values it
 * had before and is forgotten, never destroyed; an object the deployment created is destroyed
 * (already gone is success). Destroys go in an order the server accepts, learnt from its answers:
 * an object still linked by another one being destroyed waits for it; what the server made for an
 * object (a domain's x:DkimSignature objects) goes just before it; an object something else still
 * references (a singleton's required reference, an account, an object that stays) is kept, and the
 * result names it, its links and the fix. Shared by the x:* provider's delete and the convergence;
 * globals and local modules only (both are bundled).
 */
import type { StalwartConnection } from "./credentials";
import { same } from "./diff";
import { setErrorMessage } from "./errors";
import { jmapRequest, type MethodCall } from "./jmap";
import { isObj } from "./normalize";

type Obj = Record<string, unknown>;
type Ref = { objectType: string; objectId: string; accountId?: string };

export interface Retiree extends Ref {
    /** adopted objects are restored, never destroyed; singletons are always adopted */
    adopted: boolean;
    /** the values an adopted object goes back to */
    restore?: Obj;
    /** how messages name it, e.g. `x:Domain "example.org" (id "b")` */
    label?: string;
}

export interface RetireResult {
    restored: string[];
    destroyed: string[];
    /** one sentence per object kept on the server, naming what links it and the fix */
    kept: string[];
}

/** What Stalwart makes itself for an object of a type, linked to it (a domain's DKIM signatures under automatic DKIM management). */
export const SERVER_MADE: Readonly<Record<string, readonly string[]>> = { "x:Domain": ["x:DkimSignature"] };

const labelOf = (o: Retiree) => o.label ?? `${o.objectType} (id ${JSON.stringify(o.objectId)})`;
const refOf = (o: Ref) => `${o.objectType}/${o.objectId}`;
const call = (o: Ref, args: Obj, id: string): MethodCall => [
    `${o.objectType}/${"ids" in args ? "get" : "set"}`,
    { ...(o.accountId === undefined ? {} : { accountId: o.accountId }), ...args },
    id,
];

/** One call per object, 16 to a request (Stalwart's maxMethodCalls); each object's answer, as [name, args]. */
async function each(conn: StalwartConnection, items: Ref[], args: (o: Ref) => Obj): Promise<[string, Obj][]> {
    const out: [string, Obj][] = [];
    for (let i = 0; i < items.length; i += 16) {
        const { responses } = await jmapRequest(
            conn,
            items.slice(i, i + 16).map((o, j) => call(o, args(o), `c${i + j}`)),
        );
        for (let j = i; j < Math.min(i + 16, items.length); j++) {
            const r = responses.find((x) => x[2] === `c${j}`);
            out.push([r?.[0] ?? "error", isObj(r?.[1]) ? r[1] : {}]);
        }
    }
    return out;
}

/** The SetError of `o` in a /set answer, a method error, or an unconfirmed write. */
function failure([name, args]: [string, Obj], o: Ref, op: "restore" | "destroy"): Obj | undefined {
    if (name === "error") return args;
    const err = (
        isObj(args[op === "restore" ? "notUpdated" : "notDestroyed"])
            ? (args[op === "restore" ? "notUpdated" : "notDestroyed"] as Obj)[o.objectId]
            : undefined
    ) as Obj | undefined;
    const done =
        op === "restore"
            ? isObj(args.updated) && o.objectId in args.updated
            : Array.isArray(args.destroyed) && args.destroyed.includes(o.objectId);
    return (
        err ??
        (done
            ? undefined
            : {
                  type: "unconfirmed",
                  description: `${o.objectType}/set did not confirm the ${op}; re-run to reconcile`,
              })
    );
}

/** Reads each adopted object and writes back the restore values that differ (no write when none do). */
async function restoreAll(conn: StalwartConnection, items: Retiree[], result: RetireResult): Promise<void> {
    const wanted = items.filter((o) => Object.keys(o.restore ?? {}).length > 0);
    const reads = await each(conn, wanted, (o) => ({ ids: [o.objectId] }));
    const patches = new Map<Retiree, Obj>();
    wanted.forEach((o, i) => {
        const current = (reads[i]![1].list as Obj[] | undefined)?.find((x) => isObj(x) && x.id === o.objectId);
        const patch = Object.fromEntries(
            Object.entries(o.restore!).filter(([k, v]) => current && !same(current[k], v)),
        );
        if (Object.keys(patch).length > 0) patches.set(o, patch);
    });
    const targets = [...patches.keys()];
    const answers = await each(conn, targets, (o) => ({ update: { [o.objectId]: patches.get(o as Retiree) } }));
    targets.forEach((o, i) => {
        const err = failure(answers[i]!, o, "restore");
        if (err) throw new Error(setErrorMessage("restore", labelOf(o), err));
        result.restored.push(labelOf(o));
    });
}

const keptMessage = (o: Retiree, links: Ref[]) =>
    `${labelOf(o)} was kept on the server: still referenced by ${links.map((l) => (l.objectId === "singleton" ? `${l.objectType} (a setting Stalwart cannot clear)` : `${l.objectType} ${l.objectId}`)).join(", ") || "other objects"}. Re-point or delete those, then delete it by hand if it should go.`;

/**
 * Destroys created objects in rounds: each round destroys what is pending (the server-made objects
 * of a pending object just before it); an object linked only by pending ones waits; one linked only
 * by what the server made for it takes those along next round; any other link keeps it.
 */
async function destroyAll(conn: StalwartConnection, items: Retiree[], result: RetireResult): Promise<void> {
    const along = new Map<Retiree, Retiree[]>();
    for (let pending = items; pending.length > 0; ) {
        const order = pending.flatMap((o) => [...(along.get(o) ?? []), o]);
        const answers = await each(conn, order, (o) => ({ destroy: [o.objectId] }));
        const next: Retiree[] = [];
        let progress = false;
        order.forEach((o, i) => {
            const err = failure(answers[i]!, o, "destroy");
            if (!pending.includes(o)) return; // taken along: its target reports it
            if (!err || err.type === "notFound") {
                progress = true;
                if (!err) result.destroyed.push(labelOf(o));
                return;
            }
            if (err.type !== "objectIsLinked") throw new Error(setErrorMessage("destroy", labelOf(o), err));
            const links = (Array.isArray(err.linkedObjects) ? err.linkedObjects.filter(isObj) : []).map((l) => ({
                objectType: `x:${String(l.object).replace(/^x:/, "")}`,
                objectId: String(l.id),
            }));
            const others = links.filter((l) => !pending.some((p) => refOf(p) === refOf(l)));
            const made = others.filter((l) => SERVER_MADE[o.objectType]?.includes(l.objectType));
            // kept: named by what keeps it, not by what Stalwart made for it (that stays with it)
            if (others.length > 0 && (made.length < others.length || along.has(o)))
                return void result.kept.push(
                    keptMessage(
                        o,
                        others.filter((l) => !made.includes(l) || along.has(o)),
                    ),
                );
            if (others.length > 0) {
                along.set(
                    o,
                    made.map((l) => ({ ...l, accountId: o.accountId, adopted: false })),
                );
                progress = true;
            }
            next.push(o);
        });
        if (!progress) return void result.kept.push(...next.map((o) => keptMessage(o, [])));
        pending = next;
    }
}

/** Restores every adopted object first (their references to created objects go with it), then destroys the created ones. */
export async function retire(conn: StalwartConnection, items: Retiree[]): Promise<RetireResult> {
    const result: RetireResult = { restored: [], destroyed: [], kept: [] };
    await restoreAll(
        conn,
        items.filter((o) => o.adopted),
        result,
    );
    await destroyAll(
        conn,
        items.filter((o) => !o.adopted && o.objectId !== "singleton"),
        result,
    );
    return result;
}
