import { isIPv4, isIPv6 } from "node:net";
import { type ConfigIssue, issue } from "./issue";
import { shown } from "./mask";

/**
 * The tailnet side of the config: the edge node's tailnet addresses (the only sources Stalwart
 * takes a PROXY header from) and who the policy fragment may name as an operator or a tag owner.
 */

/** Tailscale's own MagicDNS resolver: never a node's address. */
const QUAD_100 = new Set(["100.100.100.100", "fd7a:115c:a1e0::53"]);

/** The canonical text of an address (fd7a:115c:a1e0:0:0:0:0:1 → fd7a:115c:a1e0::1), as Stalwart prints it back. */
export function canonicalAddress(address: string): string {
    return isIPv6(address) ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
}

/** Inside 100.64.0.0/10 (IPv4) or fd7a:115c:a1e0::/48 (IPv6), Tailscale's address ranges? */
export function inTailnetRange(address: string): boolean {
    if (isIPv4(address)) {
        const [a, b] = address.split(".").map(Number) as [number, number];
        return a === 100 && b >= 64 && b <= 127;
    }
    if (!isIPv6(address)) return false;
    return /^fd7a:115c:a1e0(:|$)/.test(canonicalAddress(address).toLowerCase());
}

/** One entry of edge.tailnetAddresses without a /32 or /128 suffix, or why it is no node address. */
function readAddress(entry: string): { address?: string; problem?: string } {
    const m = /^([^/]+)(?:\/(\d+))?$/.exec(entry.trim());
    const address = m?.[1] ?? "";
    const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : 0;
    if (!m || family === 0)
        return {
            problem: `${shown(entry)}, which is not an IP address; write the node's tailnet IPv4 and IPv6 (tailscale ip on the edge host), e.g. [100.101.102.103, fd7a:115c:a1e0::1234]`,
        };
    if (m[2] !== undefined && Number(m[2]) !== (family === 4 ? 32 : 128)) {
        return {
            problem: `${shown(entry)}, a range; write the edge node's own address (a /${family === 4 ? 32 : 128} at most), not a network`,
        };
    }
    if (!inTailnetRange(address))
        return {
            problem: `${shown(entry)}, which is outside the tailnet (100.64.0.0/10, fd7a:115c:a1e0::/48); write the edge node's tailnet addresses (tailscale ip on the edge host)`,
        };
    const canonical = canonicalAddress(address.toLowerCase());
    if (QUAD_100.has(canonical))
        return {
            problem: `${shown(entry)}, Tailscale's own DNS resolver, not a node; write the edge node's addresses (tailscale ip on the edge host)`,
        };
    return { address: canonical };
}

/** edge.tailnetAddresses: one IPv4 and one IPv6 at most, each the edge node's own tailnet address. */
export function tailnetAddressProblems(path: string, entries: string[]): ConfigIssue[] {
    if (entries.length === 0)
        return issue(
            path,
            `${path} is empty; list the edge node's tailnet addresses (tailscale ip on the edge host), or remove the key`,
        );
    const read = entries.map(readAddress);
    const problems = read.flatMap((r) => (r.problem ? issue(path, `${path} has ${r.problem}`) : []));
    if (problems.length) return problems;
    const addresses = read.map((r) => r.address!);
    for (const family of [4, 6] as const) {
        const of = addresses.filter((a) => (family === 4 ? isIPv4(a) : isIPv6(a)));
        if (new Set(of).size > 1)
            return issue(
                path,
                `${path} lists ${of.length} IPv${family} addresses; a node has one tailnet IPv${family} address: keep the edge node's own (tailscale ip -${family} on the edge host)`,
            );
    }
    return [];
}

/** The edge's tailnet addresses as given, canonical, each once; parse only after tailnetAddressProblems found none. */
export function edgeAddresses(entries: string[]): string[] {
    return [...new Set(entries.map((e) => readAddress(e).address!))];
}

/** Only one address family: the edge dials the mailbox's MagicDNS name, which answers with both. */
export function singleFamilyWarning(path: string, entries: string[]): ConfigIssue[] {
    const addresses = edgeAddresses(entries);
    const missing = addresses.some((a) => isIPv4(a)) ? (addresses.some((a) => isIPv6(a)) ? undefined : 6) : 4;
    return missing === undefined
        ? []
        : issue(
              path,
              `${path} has no IPv${missing} address: the edge dials the mailbox's MagicDNS name, which also resolves to IPv${missing}, and a PROXY header from there would be refused; add the edge node's IPv${missing} (tailscale ip -${missing} on the edge host)`,
          );
}

const OPERATOR_AUTOGROUPS = new Set(["autogroup:admin", "autogroup:member", "autogroup:owner"]);
/** A tailnet user: login@domain, or login@github / login@passkey. */
const USER = /^[^\s@"*,:]+@[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?$/i;
const GROUP = /^group:[a-z0-9](?:[a-z0-9._-]*[a-z0-9])?$/i;

/**
 * tailscale.operators: who may reach Stalwart's management port. People only: users, groups and
 * the admin/member/owner autogroups; never `*`, a tag (a device, e.g. the public edge), an address
 * or autogroup:internet.
 */
export function operatorProblems(path: string, values: string[]): ConfigIssue[] {
    return values.flatMap((v) => {
        if (OPERATOR_AUTOGROUPS.has(v) || GROUP.test(v) || USER.test(v)) return [];
        const why = v.includes("*")
            ? "a wildcard, which would give every device the management port"
            : v.startsWith("tag:")
              ? "a tag: devices with it (the public edge, say) would get the management port"
              : v.startsWith("autogroup:")
                ? "an autogroup other than autogroup:admin, autogroup:member or autogroup:owner"
                : /^[0-9.:a-f]+(\/\d+)?$/i.test(v)
                  ? "an address, which names devices, not people"
                  : "not a user or a group";
        return issue(
            path,
            `${path} has ${shown(v)}, ${why}; list people only: users (alice@example.com), groups (group:ops) or autogroup:admin|member|owner`,
        );
    });
}

/** tailscale.tagOwners: no wildcard, no address, no autogroup:internet (owners apply tags to devices and keys). */
export function tagOwnerProblems(path: string, values: string[]): ConfigIssue[] {
    return values.flatMap((v) => {
        const bad = v.includes("*")
            ? "a wildcard: anyone could tag a device as the mailbox or the edge"
            : /^autogroup:(internet|danger-all)$/.test(v)
              ? "not an owner"
              : /^[0-9.:a-f]+(\/\d+)?$/i.test(v) && /[.:]/.test(v)
                ? "an address, which cannot own a tag"
                : undefined;
        return bad
            ? issue(
                  path,
                  `${path} has ${shown(v)}, ${bad}; name who may apply the tags, e.g. autogroup:admin, group:ops or alice@example.com`,
              )
            : [];
    });
}
