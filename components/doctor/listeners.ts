/**
 * The listeners as Stalwart stores them (x:NetworkListener, read back through JMAP) against the
 * plan's listener specs: bind, protocol, TLS flags and the per-listener PROXY trust. And no global
 * x:SystemSettings.proxyTrustedNetworks: it would make every listener without an override, the
 * 8080 management listener included, demand a PROXY header (decision 003). Stored is what the next
 * start uses: listener changes take effect on a restart.
 */
import type { StalwartObjectSpec } from "../plan/stalwartSettings";
import type { Check, XObject } from "./types";

/** A JMAP set ({"a": true}) as a sorted list. */
const members = (v: unknown): string[] =>
    typeof v === "object" && v !== null
        ? Object.entries(v)
              .filter(([, on]) => on === true)
              .map(([k]) => k)
              .sort()
        : [];

const FIELDS = ["bind", "protocol", "useTls", "tlsImplicit", "overrideProxyTrustedNetworks"] as const;
const SETS = new Set<string>(["bind", "overrideProxyTrustedNetworks"]);

const shown = (field: string, v: unknown): string =>
    SETS.has(field) ? `[${members(v).join(", ")}]` : JSON.stringify(v ?? null);

/** What differs between a planned listener and the stored one, as "field stored (planned …)". */
function differences(planned: StalwartObjectSpec, stored: XObject): string[] {
    return FIELDS.filter((f) => shown(f, planned.properties[f]) !== shown(f, stored[f])).map(
        (f) => `${f} ${shown(f, stored[f])} (planned ${shown(f, planned.properties[f])})`,
    );
}

const APPLY_FIX =
    "run `pulumi up`: it writes the planned listeners and restarts Stalwart (`pulumi refresh` shows a listener changed by hand as drift)";

const listenersCheck: Check = {
    id: "stalwart.listeners",
    fix: APPLY_FIX,
    async run(ctx) {
        const planned = ctx.target.plan.stalwart.objects.filter((o) => o.objectType === "x:NetworkListener");
        if (planned.length === 0)
            return { status: "ok", detail: "no listeners planned (stalwart.manageSettings is false)" };
        const stored = await ctx.stalwart.all("x:NetworkListener");
        const problems: string[] = [];
        for (const p of planned) {
            const name = String(p.properties.name);
            const found = stored.find((s) => s.name === name);
            if (!found) problems.push(`${name}: not stored`);
            else for (const d of differences(p, found)) problems.push(`${name}: ${d}`);
        }
        if (problems.length > 0) return { status: "fail", detail: problems.join("; "), fix: APPLY_FIX };
        const trust = members(planned[0]?.properties.overrideProxyTrustedNetworks).join(", ");
        const names = planned
            .map((p) => `${String(p.properties.name)} ${members(p.properties.bind).join(",")}`)
            .join(", ");
        return {
            status: "ok",
            detail: `${planned.length} listeners stored as planned (${names}), each trusting PROXY headers from ${trust} only`,
        };
    },
};

const globalTrustCheck: Check = {
    id: "stalwart.proxy-trust-global",
    fix: "make sure the management API answers x:SystemSettings/get",
    async run(ctx) {
        const settings = await ctx.stalwart.singleton("x:SystemSettings");
        const global = members(settings.proxyTrustedNetworks);
        if (global.length === 0)
            return {
                status: "ok",
                detail: "x:SystemSettings.proxyTrustedNetworks is empty: PROXY trust is per listener only",
            };
        return {
            status: "fail",
            detail: `x:SystemSettings.proxyTrustedNetworks is set (${global.join(", ")}): every listener without its own override, the 8080 management listener included, demands a PROXY header from those networks`,
            fix: 'clear it (web UI: System settings, or x:SystemSettings/set update {"proxyTrustedNetworks": {}}) and restart Stalwart; PROXY trust belongs on each mail listener, which `pulumi up` sets',
        };
    },
};

export const listenerChecks = (): Check[] => [listenersCheck, globalTrustCheck];
