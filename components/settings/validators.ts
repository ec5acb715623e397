/**
 * Small, pure checks of the names and addresses a stack config holds. Each returns a problem
 * sentence (to follow the key name) or undefined when the value is fine. A value is only ever
 * echoed with URL credentials masked (maskUrl), so no problem sentence carries a password.
 */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** How a host key is meant, for the hint of a problem sentence. */
export interface HostHint {
    /**
     * tailnet: a MagicDNS host, so a bare name gets `<host>.<tailnet>`; public: a name in public DNS;
     * tailnetSuffix: the tailnet's own DNS suffix (tailXXXX.ts.net)
     */
    kind: "tailnet" | "public" | "tailnetSuffix";
    /** a full name to suggest for a bare one, e.g. "mail.infinidim.net" */
    suggest?: string;
    /** the stack's tailnet, when known: a bare tailnet host is then suggested as `<host>.<tailnet>` */
    tailnet?: string;
    /** the key that takes the port when a host carries one (postgres.host → postgres.port) */
    portKey?: string;
}

const TAILNET_HINT: HostHint = { kind: "tailnet" };

/** A full DNS name: two or more labels. Bare MagicDNS names ("garage") resolve only with tailnet DNS and fail silently in Stalwart. */
export function fqdnProblem(host: string, hint: HostHint = TAILNET_HINT): string | undefined {
    const withPort = /^([^\s:/[\]]+):(\d+)$/.exec(host);
    if (withPort) {
        const [, bare, port] = withPort as unknown as [string, string, string];
        const where = hint.portKey ? `put ${port} in ${hint.portKey}` : "drop the port";
        return `"${host}" includes a port; write the host alone ("${bare}") and ${where}`;
    }
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":")) {
        if (hint.kind === "tailnet") return `is an IP address ("${host}"); use the host's full MagicDNS name (<host>.<tailnet>) so it survives IP changes`;
        if (hint.kind === "tailnetSuffix") return `is an IP address ("${host}"); use the tailnet's DNS suffix, e.g. "tailXXXX.ts.net"`;
        return `is an IP address ("${host}"); use a DNS name${hint.suggest ? `, e.g. "${hint.suggest}"` : ""}`;
    }
    const name = host.endsWith(".") ? host.slice(0, -1) : host;
    const labels = name.split(".");
    if (labels.length < 2) {
        switch (hint.kind) {
            case "public":
                return `"${host}" is not a full DNS name; write the full public name, e.g. "${hint.suggest ?? `${host}.example.com`}"`;
            case "tailnetSuffix":
                return `"${host}" is not a full DNS name; write the tailnet's whole DNS suffix, e.g. "${hint.suggest ?? `${host}.ts.net`}" (the admin console's DNS page shows it)`;
            case "tailnet":
                return `"${host}" is not a full DNS name: bare MagicDNS names fail silently; write it as <host>.<tailnet>, e.g. "${hint.suggest ?? `${host}.${hint.tailnet ?? "tailXXXX.ts.net"}`}"`;
        }
    }
    if (name.length > 253 || !labels.every((l) => LABEL.test(l))) {
        return `"${host}" is not a valid DNS name (labels of letters, digits and inner dashes, at most 63 characters)`;
    }
    return undefined;
}

/** Is this a full DNS name (as fqdnProblem accepts)? */
export const isFqdn = (host: string): boolean => fqdnProblem(host) === undefined;

/** Query keys whose values are credentials and never shown. */
const SECRET_QUERY_KEY = /pass|secret|token|key|auth/i;

/** a=1&password=x → a=1&password=*** */
const maskQuery = (query: string): string =>
    query.replace(/(^|&)([^=&#]*)=([^&#]*)/g, (all, sep: string, key: string) => (SECRET_QUERY_KEY.test(key) ? `${sep}${key}=***` : all));

/** Splits scheme://[userinfo@]rest; userinfo runs to the last "@", so a stray "@" in a password is still masked. */
function splitUserinfo(text: string): { prefix: string; userinfo?: string; rest: string } | undefined {
    const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(text);
    if (!m) return undefined;
    const [, prefix, after] = m as unknown as [string, string, string];
    const at = after.lastIndexOf("@");
    return at < 0 ? { prefix, rest: after } : { prefix, userinfo: after.slice(0, at), rest: after.slice(at + 1) };
}

/**
 * The URL with its password (and credential-like query values) replaced by `***`, for anything a
 * person reads: messages, the plan, the report. A user name alone stays (ssh://deploy@host).
 */
export function maskUrl(text: string): string {
    const parts = splitUserinfo(text);
    if (!parts) return text.replace(/:[^:@\s/]+@/g, ":***@");
    let out = parts.prefix;
    if (parts.userinfo !== undefined) {
        const colon = parts.userinfo.indexOf(":");
        out += `${colon < 0 ? parts.userinfo : `${parts.userinfo.slice(0, colon)}:***`}@`;
    }
    const q = parts.rest.indexOf("?");
    return out + (q < 0 ? parts.rest : `${parts.rest.slice(0, q + 1)}${maskQuery(parts.rest.slice(q + 1))}`);
}

/** Does the URL carry a password (or a credential-like query value)? Such a URL is a secret as a whole. */
export function hasCredentials(text: string): boolean {
    return maskUrl(text) !== text;
}

export interface Endpoint {
    scheme: string;
    host: string;
    port: number;
    path: string;
    /** the query without "?", "" when none */
    query: string;
    /** the fragment without "#", "" when none */
    fragment: string;
    /** true when the URL carries a password */
    credentials: boolean;
}

export interface EndpointOptions {
    /** accept ?query (default: refused) */
    query?: boolean;
    /** accept a password in the URL (default: refused, and the hint says where credentials go instead) */
    credentials?: boolean | string;
    /** fragments accepted as they are (default: none) */
    fragments?: string[];
    /** how the host is meant, for the hint when it is not a full DNS name */
    host?: HostHint;
}

/**
 * A URL with an explicit port on a full DNS name. WHATWG URL drops a port equal to the scheme
 * default, so the authority is read from the text itself. Problems show the URL masked.
 */
export function parseEndpoint(text: string, schemes: string[], options: EndpointOptions = {}): { endpoint?: Endpoint; problem?: string } {
    const trimmed = text.trim();
    const shown = `"${maskUrl(trimmed)}"`;
    const example = `${schemes[0]}://<host>.<tailnet>:<port>`;
    const parts = splitUserinfo(trimmed);
    if (!parts || /\s/.test(trimmed)) return { problem: `${shown} is not a URL; write it as ${example}` };
    const scheme = parts.prefix.slice(0, -3);
    if (!schemes.includes(scheme.toLowerCase())) {
        return { problem: `${shown} uses scheme ${scheme}; expected ${schemes.join(" or ")}, e.g. ${example}` };
    }
    const credentials = parts.userinfo !== undefined && parts.userinfo.includes(":") && parts.userinfo.slice(parts.userinfo.indexOf(":") + 1) !== "";
    if (credentials && options.credentials !== true) {
        const where = typeof options.credentials === "string" ? ` (${options.credentials})` : "";
        return { problem: `${shown} carries a password; remove the credentials from the URL${where}` };
    }
    const m = /^(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(parts.rest);
    if (!m) return { problem: `${shown} is not a URL; write it as ${example}` };
    const [, host, port, path, query, fragment] = m as unknown as [string, string, string | undefined, string, string | undefined, string | undefined];
    if (host === "") return { problem: `${shown} has no host; write it as ${example}` };
    if (port === undefined || port === "") {
        return { problem: `${shown} has no explicit port; add it, e.g. ${scheme}://${host}:<port>${path}` };
    }
    if (!/^\d+$/.test(port)) return { problem: `${shown} has port "${port}", which is not a number; write it as ${example}` };
    const n = Number(port);
    if (n < 1 || n > 65535) return { problem: `${shown} has port ${port}, outside 1-65535` };
    if (query !== undefined && !options.query) {
        return { problem: `${shown} has a query string (?${maskQuery(query)}); remove it, the address takes no options` };
    }
    if (fragment !== undefined && !(options.fragments ?? []).includes(fragment)) {
        return { problem: `${shown} has a fragment (#${fragment}); remove it` };
    }
    const hostProblem = fqdnProblem(host, options.host);
    if (hostProblem) return { problem: `host ${hostProblem}` };
    return { endpoint: { scheme: scheme.toLowerCase(), host, port: n, path, query: query ?? "", fragment: fragment ?? "", credentials } };
}

export interface RedisTarget {
    host: string;
    port: number;
    db: number;
    /** true when the URL carries a password: the URL is then a secret as a whole */
    credentials: boolean;
}

/** Query parameters the Redis client Stalwart uses (redis-rs) reads from a URL, with the values it takes. */
const REDIS_QUERY: Record<string, string[]> = { protocol: ["2", "3", "resp2", "resp3"] };

/** redis://[user:pass@]host:port/N with N in 0..15: the logical DB keeps Stalwart's keys apart from the other apps'. */
export function parseRedisUrl(text: string, host?: HostHint): { target?: RedisTarget; problem?: string } {
    const fragments = /^rediss:/i.test(text.trim()) ? ["insecure"] : [];
    const { endpoint, problem } = parseEndpoint(text, ["redis", "rediss"], { query: true, credentials: true, fragments, host });
    if (problem || !endpoint) return { problem };
    const shown = `"${maskUrl(text.trim())}"`;
    const example = `${endpoint.scheme}://${endpoint.host}:${endpoint.port}/3`;
    for (const pair of endpoint.query.split("&").filter(Boolean)) {
        const [key = "", value = ""] = pair.split("=", 2);
        if (key === "db") {
            return { problem: `${shown} selects the DB with ?db=; put the index in the path instead, e.g. ${example}` };
        }
        const allowed = REDIS_QUERY[key];
        if (!allowed) {
            return { problem: `${shown} has the query parameter "${key}", which Stalwart's Redis client does not read; remove it (the one it reads is protocol=resp2|resp3; the DB index goes in the path, /<0-15>)` };
        }
        if (!allowed.includes(value)) {
            return { problem: `${shown} has ${key}=${value}; use ${key}=${allowed.join(" or ")}` };
        }
    }
    const db = /^\/(\d+)\/?$/.exec(endpoint.path);
    if (!db) {
        return {
            problem: `${shown} has no logical DB index; end it with /<0-15>, e.g. ${example}, so Stalwart does not share DB 0 with other apps`,
        };
    }
    const n = Number(db[1]);
    if (n > 15) return { problem: `${shown} selects DB ${n}; Redis has DBs 0-15` };
    return { target: { host: endpoint.host, port: endpoint.port, db: n, credentials: endpoint.credentials } };
}

export interface ImageRef {
    repository: string;
    tag?: string;
    digest?: string;
}

/** Splits registry/repo:tag@digest; a registry host may itself carry a :port. */
export function parseImageRef(ref: string): ImageRef {
    const [nameAndTag, digest] = ref.split("@", 2) as [string, string | undefined];
    const lastSlash = nameAndTag.lastIndexOf("/");
    const colon = nameAndTag.indexOf(":", lastSlash + 1);
    if (colon < 0) return { repository: nameAndTag, digest };
    return { repository: nameAndTag.slice(0, colon), tag: nameAndTag.slice(colon + 1), digest };
}

export const STALWART_TAG = /^v0\.16\.\d+(?:-[a-z0-9.]+)?$/;
export const TAILSCALE_TAG = /^tag:[a-z][a-z0-9-]*$/i;
export const DOCKER_HOST = /^(unix|ssh|tcp|npipe):\/\/.+/;
/** docker container and volume names, as the daemon accepts them (two characters at least). */
export const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** a tailnet device name: one lower-case DNS label (Tailscale lower-cases and rewrites anything else) */
export const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** `host:port` or `[v6]:port` */
export const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d+)$/;
