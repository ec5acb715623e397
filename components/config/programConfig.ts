/**
 * The program's side of the config contract: what the engine passes (`pulumi.runtime.allConfig()`)
 * turned back into the raw map parseSettings takes.
 */
import { maskUrl } from "./mask";
import { SECRET_KEYS } from "./schema";
import { DNS_SECRET_KEYS } from "./dnsProvider";
import { Secret } from "./secret";

const NAMESPACE = "tailwart:";
const TOKEN_KEY = "stalwart:token";

/**
 * The engine hands config over as strings: scalars as text, objects and lists JSON-encoded.
 * parseSettings wants them as Pulumi.<stack>.yaml spells them, so those are parsed back; other
 * namespaces' keys (tailscale:*, garage:*, …) are left out.
 *
 * Secrets arrive decrypted, so a stack file's `{secure: …}` and a clear value look alike; the
 * engine only says which top-level keys hold a secret (`tailwart:postgres` when
 * postgres.adminPassword was set with --secret --path). Under such a key, the secret-bearing
 * fields are handed over as Secrets, so they are not reported as held in clear.
 *
 * @param isSecretKey whether the engine marks a top-level key (`tailwart:postgres`) as secret
 */
export function rawConfigFrom(
    all: Record<string, string>,
    isSecretKey: (key: string) => boolean = () => false,
): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(all)) {
        // only whether the automation key is set (the recovery admin hand-off warning), never its value
        if (key === TOKEN_KEY) raw[key] = "(set)";
        if (!key.startsWith(NAMESPACE)) continue;
        const name = key.slice(NAMESPACE.length);
        const parsed = /^\s*[[{]/.test(value) ? parseJsonOrKeep(value) : value;
        raw[name] = isSecretKey(key) ? withSecretsMarked(name, parsed) : parsed;
    }
    return raw;
}

/** The dotted paths, inside the top-level key `name`, whose values are secrets. */
function secretPathsUnder(name: string, value: unknown): string[][] {
    const fixed = SECRET_KEYS.filter((k) => k.startsWith(`${name}.`)).map((k) => k.split(".").slice(1));
    const provider = (value as { dnsProvider?: unknown } | undefined)?.dnsProvider;
    const dns =
        name === "acme" && typeof provider === "object" && provider !== null
            ? Object.keys(provider)
                  .filter((k) => DNS_SECRET_KEYS.has(k))
                  .map((k) => ["dnsProvider", k])
            : [];
    // accounts is a list: each entry's password
    const accounts = name === "accounts" && Array.isArray(value) ? value.map((_, i) => [String(i), "password"]) : [];
    return [...fixed, ...dns, ...accounts];
}

function withSecretsMarked(name: string, value: unknown): unknown {
    if (typeof value !== "object" || value === null) return value;
    const copy = structuredClone(value) as Record<string, unknown>;
    for (const path of secretPathsUnder(name, copy)) {
        let parent: Record<string, unknown> | undefined = copy;
        for (const key of path.slice(0, -1)) {
            const next: unknown = parent?.[key];
            parent = typeof next === "object" && next !== null ? (next as Record<string, unknown>) : undefined;
        }
        const leaf = path[path.length - 1]!;
        const v = parent?.[leaf];
        if (parent && v !== undefined && v !== null && v !== "")
            parent[leaf] = new Secret(
                v,
                false,
                typeof v === "string" && /^[a-z]+:\/\//i.test(v) ? maskUrl(v) : Secret.MASK,
            );
    }
    return copy;
}

function parseJsonOrKeep(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        // Kept as text, so the schema reports it against its key along with every other problem.
        return value;
    }
}
