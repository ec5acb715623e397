/**
 * acme.dnsProvider: the x:DnsServer a dns-01 challenge uses, read the way Stalwart's schema says —
 * its `@type`s, which fields hold credentials (those become Secrets), and the provider's spelling.
 */
import { z } from "zod";
import { secretBearing } from "../stalwart/schema/secrets";
import { TABLE } from "../stalwart/schema/table";
import type { SchemaDescriptor } from "../stalwart/schema/types";
import { isCiphertext, isSecret, Secret } from "./secret";

/** Object schemas of each x:DnsServer variant, from the generated schema table. */
function dnsVariants(): Record<string, SchemaDescriptor | undefined> {
    const root = TABLE.schemas[TABLE.objects["x:DnsServer"]?.schema ?? ""];
    if (!root || !("variants" in root)) return {};
    return Object.fromEntries(
        Object.entries(root.variants).map(([name, schema]) => [name, schema ? TABLE.schemas[schema] : undefined]),
    );
}

/** The `@type`s Stalwart's x:DnsServer knows (Cloudflare, Route53, …). */
export const DNS_PROVIDER_TYPES: readonly string[] = Object.keys(dnsVariants()).filter((t) => !/^Deprecated/.test(t));

/** Top-level x:DnsServer properties that carry credentials (secret, apiKey, token, …), in any variant. */
export const DNS_SECRET_KEYS: ReadonlySet<string> = new Set(
    Object.values(dnsVariants()).flatMap((s) =>
        s && "fields" in s
            ? Object.entries(s.fields)
                  .filter(([, f]) => secretBearing(TABLE.schemas, f))
                  .map(([k]) => k)
            : [],
    ),
);

const containsCiphertext = (v: unknown): boolean =>
    isCiphertext(v) ||
    (typeof v === "object" && v !== null && !isSecret(v) && Object.values(v).some(containsCiphertext));

const providerKey = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, "");

/** A DNS provider's name in Stalwart's spelling (`cloudflare`, `route-53` → Cloudflare, Route53); an unknown name as given. */
export function canonicalDnsProviderType(name: string): string {
    const key = providerKey(name);
    return DNS_PROVIDER_TYPES.find((t) => providerKey(t) === key) ?? name;
}

/**
 * dnsProvider: a provider's name alone ("cloudflare") or the x:DnsServer object; `@type` is matched
 * case-insensitively and written as Stalwart spells it. Credentials become Secrets: printed masked,
 * handed to Pulumi as secrets.
 */
export const dnsProvider = () =>
    z
        .preprocess(
            (v) => (typeof v === "string" && v.trim() !== "" ? { "@type": v.trim() } : v),
            z.record(z.string(), z.unknown()),
        )
        .transform((p) =>
            Object.fromEntries(
                Object.entries(p).map(([k, v]) => {
                    if (k === "@type" && typeof v === "string") return [k, canonicalDnsProviderType(v.trim())];
                    if (isSecret(v)) return [k, v];
                    if (containsCiphertext(v)) return [k, new Secret<unknown>(undefined, true)];
                    return [k, DNS_SECRET_KEYS.has(k) ? Secret.inClearText<unknown>(v) : v];
                }),
            ),
        );
