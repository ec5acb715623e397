/**
 * What an adopted object goes back to when it leaves the program or is deleted: the values its
 * managed properties had before the provider first wrote them (decision 012). Only values the server
 * takes back are kept: never a secret (its "****" mask must never be written), never a serverSet or
 * immutable property, never the marks of a value that was never set (an empty string, which the
 * server refuses, or the invalid id u64::MAX, the default of a required reference such as
 * x:SystemSettings.defaultDomainId before it was first stored).
 */
import { redact, topFields } from "../diff";
import type { ObjectSchemaSubset } from "../schema/types";
import type { Obj } from "./context";

/** u64::MAX in Stalwart's id encoding: the Rust default of a non-optional objectId, never a real object. */
export const UNSET_ID = "p333333333333";

export function restoreValues(subset: ObjectSchemaSubset, before: Obj, keys: readonly string[]): Obj {
    const fields = topFields(subset, before);
    const out: Obj = {};
    for (const k of keys) {
        if (!(k in before)) continue;
        const v = before[k];
        if (k === "@type") {
            out[k] = v;
            continue;
        }
        const f = fields[k];
        if (!f || f.update !== "mutable" || v === "" || v === UNSET_ID) continue;
        const { secrets } = redact(subset, { "@type": before["@type"], [k]: v });
        if (Object.keys(secrets).length > 0) continue;
        out[k] = v;
    }
    return out;
}

/** The restore values of an adopted object after an update that may manage new properties (their current values). */
export function extendRestore(
    subset: ObjectSchemaSubset,
    restore: Obj | undefined,
    before: Obj,
    managedBefore: Obj,
    news: Obj,
): Obj {
    const added = Object.keys(news).filter((k) => !(k in managedBefore) && !(k in (restore ?? {})));
    return { ...restoreValues(subset, before, added), ...restore };
}
