/**
 * DNS as published against DNS as Stalwart wants it: the MX, SPF, DKIM and DMARC records of the
 * domain's zone file (x:Domain.dnsZoneFile, computed by the server) are resolved through node:dns
 * and compared. Where Stalwart manages the domain's DNS (dnsManagement Automatic) it publishes them
 * itself; otherwise the operator does, and the fix lists the records to publish.
 */
import { CheckError } from "./stalwartApi";
import type { Check, DoctorContext, DoctorNetwork, Outcome, XObject } from "./types";
import { parseZoneFile, type ZoneRecord } from "./zoneFile";

type Kind = "mx" | "spf" | "dkim" | "dmarc";

const KINDS: Record<Kind, { label: string; select(r: ZoneRecord, domain: string): boolean }> = {
    mx: { label: "MX", select: (r, d) => r.type === "MX" && r.name === d },
    spf: { label: "SPF", select: (r) => r.type === "TXT" && /^v=spf1(\s|$)/i.test(r.data) },
    dkim: { label: "DKIM", select: (r, d) => r.type === "TXT" && r.name.endsWith(`._domainkey.${d}`) },
    dmarc: { label: "DMARC", select: (r, d) => r.type === "TXT" && r.name === `_dmarc.${d}` },
};

/** TXT values compare without the spacing around `;` and runs of blanks. */
const normalizeTxt = (s: string) =>
    s
        .replace(/\s*;\s*/g, ";")
        .replace(/\s+/g, " ")
        .replace(/;$/, "")
        .trim();
const host = (s: string) => s.toLowerCase().replace(/\.$/, "");

/** Why a lookup found nothing, or undefined for "no such record" (NXDOMAIN, no data). */
function lookupError(e: unknown): string | undefined {
    const code = (e as { code?: string })?.code;
    return code === "ENOTFOUND" || code === "ENODATA" ? undefined : (code ?? String(e));
}

/** Is the expected record published? `seen` says what is there instead. */
async function published(net: DoctorNetwork, kind: Kind, r: ZoneRecord): Promise<{ ok: boolean; seen: string }> {
    try {
        if (kind === "mx") {
            const [priority, exchange = ""] = r.data.split(" ");
            const found = await net.resolveMx(r.name);
            const ok = found.some((m) => host(m.exchange) === host(exchange) && m.priority === Number(priority));
            return {
                ok,
                seen: found.length ? found.map((m) => `${m.priority} ${host(m.exchange)}`).join(", ") : "no MX record",
            };
        }
        const txts = (await net.resolveTxt(r.name)).map((chunks) => chunks.join(""));
        const ok = txts.some((t) => normalizeTxt(t) === normalizeTxt(r.data));
        // two SPF records at one name are a permanent error for every receiver (RFC 7208 §4.5)
        const spfs = txts.filter((t) => /^v=spf1(\s|$)/i.test(t));
        if (kind === "spf" && ok && spfs.length > 1)
            return {
                ok: false,
                seen: `${spfs.length} SPF records (${spfs.join(" | ")}), which receivers treat as an error`,
            };
        return {
            ok,
            seen: txts.length
                ? txts.map((t) => JSON.stringify(t.length > 80 ? `${t.slice(0, 77)}...` : t)).join(", ")
                : "no TXT record",
        };
    } catch (e) {
        const why = lookupError(e);
        if (why === undefined) return { ok: false, seen: `no ${kind === "mx" ? "MX" : "TXT"} record` };
        throw new CheckError(
            `resolving ${r.name}: ${why}`,
            "check this machine's DNS resolver, then run the doctor again",
        );
    }
}

const zoneLine = (r: ZoneRecord) =>
    `${r.name}. IN ${r.type} ${r.type === "TXT" ? JSON.stringify(r.data) : `${r.data}.`}`;

async function zoneOf(ctx: DoctorContext): Promise<{ domain: XObject; records: ZoneRecord[] }> {
    const name = ctx.target.settings.domain;
    const domain = await ctx.stalwart.domain(name);
    if (!domain)
        throw new CheckError(
            `Stalwart has no x:Domain ${name}`,
            "run `pulumi up`: it creates the domain (stalwart.manageSettings)",
        );
    if (typeof domain.dnsZoneFile !== "string")
        throw new CheckError(`x:Domain ${name} has no dnsZoneFile`, "is this a Stalwart v0.16 server?");
    return { domain, records: parseZoneFile(domain.dnsZoneFile, name) };
}

function recordCheck(kind: Kind): Check {
    const { label } = KINDS[kind];
    return {
        id: `dns.${kind}`,
        fix: "check this machine's DNS resolver and the management API, then run the doctor again",
        async run(ctx): Promise<Outcome> {
            const name = ctx.target.settings.domain.toLowerCase().replace(/\.$/, "");
            const { domain, records } = await zoneOf(ctx);
            const wanted = records.filter((r) => KINDS[kind].select(r, name));
            if (wanted.length === 0) {
                return {
                    status: "warn",
                    detail: `x:Domain ${name}'s zone file lists no ${label} record`,
                    fix: `publish a ${label} record for ${name}; Stalwart lists the ones it expects in the web UI (Domains → DNS records)`,
                };
            }
            const missing: string[] = [];
            for (const r of wanted) {
                const got = await published(ctx.net, kind, r);
                if (!got.ok)
                    missing.push(
                        `${r.name}: published ${got.seen}, wanted ${kind === "mx" ? r.data : JSON.stringify(r.data)}`,
                    );
            }
            if (missing.length === 0)
                return {
                    status: "ok",
                    detail: `${wanted.length} ${label} record${wanted.length === 1 ? "" : "s"} published as the zone file says (${wanted.map((r) => r.name).join(", ")})`,
                };
            const automatic = (domain.dnsManagement as { "@type"?: string } | undefined)?.["@type"] === "Automatic";
            const fix = automatic
                ? "Stalwart publishes these itself (dnsManagement Automatic): look at failed DnsManagement tasks (x:Task) and the x:DnsServer credentials; allow for DNS caching (TTL)"
                : `publish at the domain's DNS provider: ${wanted.map(zoneLine).join(" | ")}`;
            return { status: "fail", detail: missing.join("; "), fix };
        },
    };
}

export const dnsChecks = (): Check[] => (["mx", "spf", "dkim", "dmarc"] as Kind[]).map(recordCheck);
