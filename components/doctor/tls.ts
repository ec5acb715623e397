/**
 * Certificates: one for the hostname is stored (x:Certificate, whose subjectAlternativeNames and
 * notValidAfter Stalwart parses from the PEM), it is not expiring within 14 days, and no ACME
 * renewal (an x:Task of type AcmeRenewal) has failed, e.g. with an order gone INVALID.
 */
import type { Settings } from "../config";
import type { Check, XObject } from "./types";

export const EXPIRY_MARGIN_DAYS = 14;
const DAY_MS = 24 * 3600 * 1000;

const names = (v: unknown): string[] =>
    typeof v === "object" && v !== null ? Object.keys(v).map((n) => n.toLowerCase()) : [];

/** Does a SAN cover the host? Exact, or a wildcard one label deep. */
export function covers(san: string, host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, "");
    const s = san.toLowerCase().replace(/\.$/, "");
    return s === h || (s.startsWith("*.") && h.slice(h.indexOf(".") + 1) === s.slice(2) && h.indexOf(".") > 0);
}

/** What the configured challenge needs, for the fixes. */
function challengeNeeds(s: Settings): string {
    switch (s.acme.challenge) {
        case "tls-alpn-01":
            return "tls-alpn-01 needs port 443 in edge.ports, forwarded to Stalwart's https listener";
        case "http-01":
            return "http-01 needs port 80 in edge.ports, forwarded to Stalwart";
        default:
            return "dns-01 needs working acme.dnsProvider credentials";
    }
}

const expiry = (c: XObject): number => (typeof c.notValidAfter === "string" ? Date.parse(c.notValidAfter) : Number.NaN);

const certificateCheck: Check = {
    id: "tls.certificate",
    fix: "make sure the management API answers x:Certificate/query and /get",
    async run(ctx) {
        const s = ctx.target.settings;
        const all = await ctx.stalwart.all("x:Certificate");
        const mine = all
            .filter((c) => names(c.subjectAlternativeNames).some((san) => covers(san, s.hostname)))
            .sort((a, b) => expiry(b) - expiry(a));
        const best = mine[0];
        if (!best) {
            const seen = all.length
                ? `; stored: ${all.map((c) => names(c.subjectAlternativeNames).join(" ") || c.id).join(", ")}`
                : "";
            return {
                status: "fail",
                detail: `no certificate covers ${s.hostname} (${all.length} stored${seen})`,
                fix: `Stalwart gets it by ACME (x:Domain ${s.domain} with automatic certificate management): ${challengeNeeds(s)}; see tls.acme-orders and Stalwart's log`,
            };
        }
        const at = expiry(best);
        const days = Math.floor((at - ctx.now().getTime()) / DAY_MS);
        const what = `the certificate for ${s.hostname} (issuer ${String(best.issuer ?? "?")}) ${days < 0 ? "expired" : "expires"} ${Number.isNaN(at) ? "at an unknown time" : new Date(at).toISOString().slice(0, 10)}`;
        if (Number.isNaN(at) || days < EXPIRY_MARGIN_DAYS) {
            return {
                status: "fail",
                detail: `${what}${Number.isNaN(at) ? "" : days < 0 ? ` (${-days} days ago)` : ` (in ${days} days, under ${EXPIRY_MARGIN_DAYS})`}`,
                fix: `ACME should have renewed it by now: look at tls.acme-orders and Stalwart's log; ${challengeNeeds(s)}`,
            };
        }
        return { status: "ok", detail: `${what} (in ${days} days)` };
    },
};

/** The reason a task failed or is being retried for, if any. */
function failureOf(task: XObject): { final: boolean; reason: string } | undefined {
    const status = task.status as { "@type"?: string; failureReason?: string } | undefined;
    if (status?.["@type"] === "Failed") return { final: true, reason: status.failureReason ?? "no reason given" };
    if (status?.["@type"] === "Retry") return { final: false, reason: status.failureReason ?? "no reason given" };
    return undefined;
}

const acmeOrdersCheck: Check = {
    id: "tls.acme-orders",
    fix: "make sure the management API answers x:Task/query and /get",
    async run(ctx) {
        const s = ctx.target.settings;
        const renewals = (await ctx.stalwart.all("x:Task")).filter((t) => t["@type"] === "AcmeRenewal");
        const domain = await ctx.stalwart.domain(s.domain);
        const label = (t: XObject) => (domain && t.domainId === domain.id ? s.domain : `domain ${String(t.domainId)}`);
        const failing = renewals.flatMap((t) => {
            const f = failureOf(t);
            return f ? [{ t, ...f }] : [];
        });
        const invalid = failing.filter((f) => f.final || /invalid/i.test(f.reason));
        const summary = (list: typeof failing) =>
            list.map((f) => `${label(f.t)}: ${f.final ? "failed" : "retrying"}, ${f.reason}`).join("; ");
        if (invalid.length > 0) {
            return {
                status: "fail",
                detail: `ACME renewal ${summary(invalid)}`,
                fix:
                    "the CA could not validate an order: two Stalwart instances on one data store answer challenges with different keys (see postgres.one-instance), " +
                    `or the challenge cannot reach Stalwart (${challengeNeeds(s)}); fix the cause and watch the next attempt`,
            };
        }
        if (failing.length > 0)
            return {
                status: "warn",
                detail: `ACME renewal ${summary(failing)}`,
                fix: `Stalwart retries on its own; if it keeps failing: ${challengeNeeds(s)}`,
            };
        return { status: "ok", detail: `no failed ACME renewal (${renewals.length} pending)` };
    },
};

export const tlsChecks = (): Check[] => [certificateCheck, acmeOrdersCheck];
