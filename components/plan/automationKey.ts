/**
 * The automation API key the first up mints (the hand-off from the recovery admin): an x:ApiKey in
 * the automation account whose permissions are replaced by exactly what the providers use (get,
 * query and set of each managed object type, the reload actions, the OIDC binding) and which signs
 * in only from the tailnet.
 */
import { RELOAD_ORDER } from "../stalwart/effects";
import { TABLE } from "../stalwart/schema/table";
import { TAILNET_RANGES } from "../topology";
import { OPERATOR_KEYS } from "./operatorSettings";
import type { StalwartObjectSpec } from "./stalwartSettings";

export interface AutomationKeyPlan {
    /** spec key of the account the key lives in */
    account: string;
    properties: {
        description: string;
        permissions: { "@type": "Replace"; permissions: Record<string, true> };
        allowedIps: Record<string, true>;
    };
}

/** Types the providers read or write besides the specs': the binding, the key itself, the domain a discover address falls back to. */
const ALWAYS = ["x:Authentication", "x:Directory", "x:ApiKey", "x:Domain", "x:Account"];

/** `x:MtaRoute` → sysMtaRouteGet, …Create, …Update, …Destroy, …Query, as far as Stalwart has them. */
function objectPermissions(objectType: string, known: Set<string>): string[] {
    const base = `sys${objectType.replace(/^x:/, "")}`;
    return ["Get", "Query", "Create", "Update", "Destroy"].map((op) => `${base}${op}`).filter((p) => known.has(p));
}

export function automationPermissions(specs: StalwartObjectSpec[]): string[] {
    const known = new Set(TABLE.enums.Permission ?? []);
    const types = new Set([...specs.map((s) => s.objectType), ...ALWAYS]);
    const actions = ["sysActionCreate", ...RELOAD_ORDER.map((a) => `action${a}`)].filter((p) => known.has(p));
    return [...new Set(["authenticate", ...actions, ...[...types].flatMap((t) => objectPermissions(t, known))])].sort();
}

export function automationKeyPlan(stack: string, specs: StalwartObjectSpec[]): AutomationKeyPlan {
    return {
        account: OPERATOR_KEYS.automationAccount,
        properties: {
            description: `tailwart ${stack}: pulumi up (x:* providers and convergence)`,
            permissions: {
                "@type": "Replace",
                permissions: Object.fromEntries(automationPermissions(specs).map((p) => [p, true as const])),
            },
            allowedIps: Object.fromEntries(TAILNET_RANGES.map((r) => [r, true as const])),
        },
    };
}
