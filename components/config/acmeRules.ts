/**
 * ACME: which Let's Encrypt directory a stack uses (staging everywhere but prod, unless said so),
 * which challenge the topology can serve, and the rules that refuse what Stalwart could not use.
 */
import { closeMatches } from "../stalwart/schema/table";
import { DNS_PROVIDER_TYPES } from "./dnsProvider";
import { issue, none, type Rule, rule } from "./issue";
import { shown } from "./mask";
import type { RawSettings } from "./schema";
import { normalizeAcmeUrl } from "./urls";

/** Let's Encrypt's ACME directories, the two `acme.directory` names. */
export const ACME_DIRECTORIES = {
    /** certificates browsers trust (the `prod` stack's default) */
    production: "https://acme-v02.api.letsencrypt.org/directory",
    /** untrusted test certificates, generous rate limits (every other stack's default) */
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

/**
 * "staging" | "production" | URL → the directory URL and which Let's Encrypt environment it is
 * (trailing "/" or not), and `directory`: the setting as resolved ("staging" or "production" for a
 * name or the stack's default, the URL as given otherwise).
 */
export function resolveAcmeDirectory(
    directory: string | undefined,
    stack: string,
): { url: string; kind: "staging" | "production" | "custom"; directory: string } {
    const chosen = (directory ?? (stack === "prod" ? "production" : "staging")).trim();
    const name = chosen.toLowerCase();
    const normalized = normalizeAcmeUrl(chosen);
    const named = (kind: "staging" | "production") => (name === kind ? kind : chosen);
    if (name === "staging" || normalized === ACME_DIRECTORIES.staging)
        return { url: ACME_DIRECTORIES.staging, kind: "staging", directory: named("staging") };
    if (name === "production" || normalized === ACME_DIRECTORIES.production)
        return { url: ACME_DIRECTORIES.production, kind: "production", directory: named("production") };
    return { url: chosen, kind: "custom", directory: chosen };
}

/** The ACME challenges Stalwart can answer behind the edge. */
export type AcmeChallenge = "tls-alpn-01" | "http-01" | "dns-01";

/** The challenges the topology can serve: 443 forwarded → tls-alpn-01, 80 → http-01, a dnsProvider → dns-01. */
export function servableChallenges(s: Pick<RawSettings, "edge" | "acme">): AcmeChallenge[] {
    return [
        ...(s.edge.ports.includes(443) ? ["tls-alpn-01" as const] : []),
        ...(s.edge.ports.includes(80) ? ["http-01" as const] : []),
        ...(s.acme.dnsProvider ? ["dns-01" as const] : []),
    ];
}

/** When nothing can be served and none is set: the challenge Stalwart gets, once 443 is forwarded. */
export const FALLBACK_CHALLENGE: AcmeChallenge = "tls-alpn-01";

/**
 * The challenge given, else the first one the topology can serve, else tls-alpn-01 (a warning says
 * no certificate can be issued until 443 is forwarded).
 */
export function resolveAcmeChallenge(s: Pick<RawSettings, "edge" | "acme">): AcmeChallenge {
    return s.acme.challenge ?? servableChallenges(s)[0] ?? FALLBACK_CHALLENGE;
}

const dnsProviderType = (s: RawSettings): unknown => s.acme.dnsProvider?.["@type"];

/** The ACME rules, run with the others (rules.ts RULES). */
export const ACME_RULES: Rule[] = [
    rule(["acme.dnsProvider", "acme.challenge"], (s) => {
        if (!s.acme.dnsProvider) return none;
        const type = dnsProviderType(s);
        // an explicit dns-01 without a usable provider is reported by the challenge rule
        if (typeof type !== "string") {
            return s.acme.challenge === "dns-01"
                ? none
                : issue(
                      "acme.dnsProvider",
                      'acme.dnsProvider has no "@type"; name the DNS API Stalwart updates, e.g. cloudflare or { "@type": "Cloudflare", secret: … }',
                  );
        }
        if (DNS_PROVIDER_TYPES.length === 0 || DNS_PROVIDER_TYPES.includes(type)) return none;
        const near = closeMatches(type, [...DNS_PROVIDER_TYPES]);
        return issue(
            "acme.dnsProvider",
            `acme.dnsProvider "@type" ${shown(type)} is not a DNS provider Stalwart v0.16 knows; ${near.length ? `did you mean ${near.join(" or ")}? ` : ""}see x:DnsServer for the list (Cloudflare, Route53, Ovh, …)`,
        );
    }),
    rule(["edge.ports", "acme.challenge", "acme.dnsProvider"], (s) => {
        // Only a challenge set on purpose is an error; an unset one falls back with a warning (WARNINGS).
        const forwards = (p: number) => s.edge.ports.includes(p);
        switch (s.acme.challenge) {
            case undefined:
                return none;
            case "http-01":
                return forwards(80)
                    ? none
                    : issue(
                          "acme.challenge",
                          "acme.challenge http-01 needs the edge to forward :80 to Stalwart; add 80 to edge.ports, or use dns-01 with acme.dnsProvider",
                      );
            case "tls-alpn-01":
                return forwards(443)
                    ? none
                    : issue(
                          "acme.challenge",
                          "acme.challenge tls-alpn-01 needs the edge to forward :443 to Stalwart; add 443 to edge.ports, or use http-01 (with 80 in edge.ports) or dns-01 with acme.dnsProvider",
                      );
            case "dns-01":
                return typeof dnsProviderType(s) === "string"
                    ? none
                    : issue(
                          "acme.challenge",
                          'acme.challenge dns-01 needs acme.dnsProvider: the DNS API Stalwart updates, e.g. cloudflare or { "@type": "Cloudflare", secret: … }; or use http-01/tls-alpn-01',
                      );
        }
    }),
    rule(["acme.directory", "acme.acceptDirectoryMismatch"], (s, stack) => {
        if (s.acme.acceptDirectoryMismatch) return none;
        const { kind } = resolveAcmeDirectory(s.acme.directory, stack);
        if (stack === "prod" && kind === "staging") {
            return issue(
                "acme.directory",
                "acme.directory is the Let's Encrypt staging directory on stack prod: its certificates are not trusted; use production, or set acme.acceptDirectoryMismatch: true if this is on purpose",
            );
        }
        if (stack === "dev" && kind === "production") {
            return issue(
                "acme.directory",
                "acme.directory is Let's Encrypt production on stack dev: failed validations count against production rate limits; use staging, or set acme.acceptDirectoryMismatch: true if this is on purpose",
            );
        }
        return none;
    }),
    rule(["acme.directory"], (s) => {
        const d = s.acme.directory;
        if (d === undefined || ["staging", "production"].includes(d.toLowerCase())) return none;
        // http:// is for a local test CA (Pebble); WARNINGS flags it
        const ok =
            URL.canParse(d) &&
            ((url) => /^https?:$/.test(url.protocol) && url.hostname !== "" && !/\s/.test(d) && url.password === "")(
                new URL(d),
            );
        return ok
            ? none
            : issue(
                  "acme.directory",
                  `acme.directory ${shown(d)} must be staging, production or an https:// ACME directory URL (http:// only for a local test CA such as Pebble), without credentials`,
              );
    }),
];
