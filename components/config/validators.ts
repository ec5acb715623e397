import { clip, maskQuery, shown, splitUserinfo } from "./mask";

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
    const h = shown(host);
    const withPort = /^([^\s:/[\]]+):(\d+)$/.exec(host);
    if (withPort) {
        const [, bare, port] = withPort as unknown as [string, string, string];
        const where = hint.portKey ? `put ${port} in ${hint.portKey}` : "drop the port";
        return `${h} includes a port; write the host alone (${shown(bare)}) and ${where}`;
    }
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":")) {
        if (hint.kind === "tailnet")
            return `is an IP address (${h}); use the host's full MagicDNS name (<host>.<tailnet>) so it survives IP changes`;
        if (hint.kind === "tailnetSuffix")
            return `is an IP address (${h}); use the tailnet's DNS suffix, e.g. "tailXXXX.ts.net"`;
        return `is an IP address (${h}); use a DNS name${hint.suggest ? `, e.g. ${shown(hint.suggest)}` : ""}`;
    }
    const name = host.endsWith(".") ? host.slice(0, -1) : host;
    const labels = name.split(".");
    if (labels.length < 2) {
        switch (hint.kind) {
            case "public":
                return `${h} is not a full DNS name; write the full public name, e.g. ${shown(hint.suggest ?? `${host}.example.com`)}`;
            case "tailnetSuffix":
                return `${h} is not a full DNS name; write the tailnet's whole DNS suffix, e.g. ${shown(hint.suggest ?? `${host}.ts.net`)} (the admin console's DNS page shows it)`;
            case "tailnet":
                return `${h} is not a full DNS name: bare MagicDNS names fail silently; write it as <host>.<tailnet>, e.g. ${shown(hint.suggest ?? `${host}.${hint.tailnet ?? "tailXXXX.ts.net"}`)}`;
        }
    }
    if (name.length > 253 || !labels.every((l) => LABEL.test(l))) {
        return `${h} is not a valid DNS name (labels of letters, digits and inner dashes, at most 63 characters)`;
    }
    return undefined;
}

/** Is this a full DNS name (as fqdnProblem accepts)? */
export const isFqdn = (host: string): boolean => fqdnProblem(host) === undefined;

export { hasCredentials, maskUrl } from "./mask";

/** An http(s) endpoint URL, read into its parts. */
export interface Endpoint {
    /** `http` or `https` */
    scheme: string;
    /** the host name, lower-cased */
    host: string;
    /** the port, always explicit */
    port: number;
    /** the path, "" when none */
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

/** What an endpoint URL says, as far as it could be read; `port` is undefined when it is missing or unreadable. */
interface EndpointParts {
    scheme: string;
    host: string;
    port?: number;
    path: string;
    query?: string;
    fragment?: string;
    credentials: boolean;
}

/** A host to suggest in an example: the host itself when it is a full name, `<host>.<tailnet>` for a bare tailnet host. */
function exampleHost(host: string, hint: HostHint = TAILNET_HINT): string {
    if (host === "") return "<host>.<tailnet>";
    if (fqdnProblem(host, hint) === undefined) return host;
    if (!host.includes(".") && !host.includes(":") && LABEL.test(host)) {
        if (hint.suggest) return hint.suggest;
        if (hint.kind === "tailnet") return `${host}.${hint.tailnet ?? "tailXXXX.ts.net"}`;
    }
    return "<host>.<tailnet>";
}

/**
 * Reads scheme://[userinfo@]host:port/path?query#fragment and collects every problem: scheme,
 * credentials, host, port, query and fragment are checked independently. `parts` is undefined
 * only when the text is not a URL at all.
 */
function readEndpoint(
    text: string,
    schemes: string[],
    options: EndpointOptions,
): { parts?: EndpointParts; problems: string[] } {
    const trimmed = text.trim();
    const quoted = shown(trimmed);
    const example = `${schemes[0]}://<host>.<tailnet>:<port>`;
    const parts = splitUserinfo(trimmed);
    if (!parts || /\s/.test(trimmed)) return { problems: [`${quoted} is not a URL; write it as ${example}`] };
    const m = /^(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(parts.rest);
    if (!m) return { problems: [`${quoted} is not a URL; write it as ${example}`] };
    const [, host, port, path, query, fragment] = m as unknown as [
        string,
        string,
        string | undefined,
        string,
        string | undefined,
        string | undefined,
    ];
    const problems: string[] = [];
    const given = parts.prefix.slice(0, -3);
    const schemeOk = schemes.includes(given.toLowerCase());
    const scheme = schemeOk ? given.toLowerCase() : schemes[0]!;
    if (!schemeOk)
        problems.push(`${quoted} uses scheme ${clip(given)}; expected ${schemes.join(" or ")}, e.g. ${example}`);
    const credentials =
        parts.userinfo !== undefined &&
        parts.userinfo.includes(":") &&
        parts.userinfo.slice(parts.userinfo.indexOf(":") + 1) !== "";
    if (credentials && options.credentials !== true) {
        const where = typeof options.credentials === "string" ? ` (${options.credentials})` : "";
        problems.push(`${quoted} carries a password; remove the credentials from the URL${where}`);
    }
    if (host === "") problems.push(`${quoted} has no host; write it as ${example}`);
    let n: number | undefined;
    if (port === undefined || port === "") {
        problems.push(
            `${quoted} has no explicit port; add it, e.g. ${scheme}://${exampleHost(host, options.host)}:<port>${clip(path)}`,
        );
    } else if (!/^\d+$/.test(port)) {
        problems.push(`${quoted} has port ${shown(port)}, which is not a number; write it as ${example}`);
    } else if (Number(port) < 1 || Number(port) > 65535) {
        problems.push(`${quoted} has port ${shown(port)}, outside 1-65535`);
    } else {
        n = Number(port);
    }
    if (query !== undefined && !options.query) {
        problems.push(
            `${quoted} has a query string (${clip(`?${maskQuery(query)}`)}); remove it, the address takes no options`,
        );
    }
    if (fragment !== undefined && !(options.fragments ?? []).includes(fragment)) {
        problems.push(`${quoted} has a fragment (#…); remove it`);
    }
    const hostProblem = host === "" ? undefined : fqdnProblem(host, options.host);
    if (hostProblem) problems.push(`host ${hostProblem}`);
    return { parts: { scheme, host, port: n, path, query, fragment, credentials }, problems };
}

/**
 * A URL with an explicit port on a full DNS name. WHATWG URL drops a port equal to the scheme
 * default, so the authority is read from the text itself. Problems show the URL masked; every
 * problem is listed (`problems`), `problem` is the first.
 */
export function parseEndpoint(
    text: string,
    schemes: string[],
    options: EndpointOptions = {},
): { endpoint?: Endpoint; problem?: string; problems: string[] } {
    const { parts, problems } = readEndpoint(text, schemes, options);
    if (problems.length > 0 || !parts || parts.port === undefined) return { problem: problems[0], problems };
    const { scheme, host, port, path, query, fragment, credentials } = parts;
    return {
        endpoint: { scheme, host, port, path, query: query ?? "", fragment: fragment ?? "", credentials },
        problems: [],
    };
}

/** What a redis:// URL points at. */
export interface RedisTarget {
    /** the server's name */
    host: string;
    /** the server's port */
    port: number;
    /** the logical DB index, 0–15 */
    db: number;
    /** true when the URL carries a password: the URL is then a secret as a whole */
    credentials: boolean;
}

/** Query parameters the Redis client Stalwart uses (redis-rs) reads from a URL, with the values it takes. */
const REDIS_QUERY: Record<string, string[]> = { protocol: ["2", "3", "resp2", "resp3"] };

/**
 * redis://[user:pass@]host:port/N with N in 0..15: the logical DB keeps Stalwart's keys apart from
 * the other apps'. Every problem is listed (`problems`), `problem` is the first.
 */
export function parseRedisUrl(
    text: string,
    host?: HostHint,
): { target?: RedisTarget; problem?: string; problems: string[] } {
    const fragments = /^rediss:/i.test(text.trim()) ? ["insecure"] : [];
    const { parts, problems } = readEndpoint(text, ["redis", "rediss"], {
        query: true,
        credentials: true,
        fragments,
        host,
    });
    if (!parts) return { problem: problems[0], problems };
    const quoted = shown(text.trim());
    const example = `${parts.scheme}://${exampleHost(parts.host, host)}:${parts.port ?? 6379}/3`;
    for (const pair of (parts.query ?? "").split("&").filter(Boolean)) {
        const [key = "", value = ""] = pair.split("=", 2);
        const allowed = REDIS_QUERY[key];
        if (key === "db") {
            problems.push(`${quoted} selects the DB with ?db=; put the index in the path instead, e.g. ${example}`);
        } else if (!allowed) {
            problems.push(
                `${quoted} has the query parameter ${shown(key)}, which Stalwart's Redis client does not read; remove it (the one it reads is protocol=resp2|resp3; the DB index goes in the path, /<0-15>)`,
            );
        } else if (!allowed.includes(value)) {
            problems.push(`${quoted} has ${clip(`${key}=${value}`)}; use ${key}=${allowed.join(" or ")}`);
        }
    }
    const db = /^\/(\d+)\/?$/.exec(parts.path);
    if (!db) {
        problems.push(
            `${quoted} has no logical DB index; end it with /<0-15>, e.g. ${example}, so Stalwart does not share DB 0 with other apps`,
        );
    } else if (Number(db[1]) > 15) {
        problems.push(`${quoted} selects DB ${Number(db[1])}; Redis has DBs 0-15`);
    }
    if (problems.length > 0 || parts.port === undefined || !db) return { problem: problems[0], problems };
    return {
        target: { host: parts.host, port: parts.port, db: Number(db[1]), credentials: parts.credentials },
        problems: [],
    };
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

/** a v0.16 release tag: v0.16, v0.16.<patch>, with or without the "v", with an optional suffix (-alpine) */
export const STALWART_TAG = /^v?0\.16(?:\.\d+)?(?:-[a-z0-9.]+)?$/;
export const TAILSCALE_TAG = /^tag:[a-z][a-z0-9-]*$/i;
/** docker container and volume names: what the daemon accepts */
export const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** a tailnet device name: one lower-case DNS label (Tailscale lower-cases and rewrites anything else) */
export const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** `host:port` or `[v6]:port` */
export const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[^\s:[\]]+):(\d+)$/;

/** `host:port` or `[v6]:port` → its parts, for an address the config rules have already checked (`field` names it otherwise). */
export function splitHostPort(field: string, address: string): { host: string; port: number } {
    const match = HOST_PORT.exec(address);
    const port = Number(match?.[2]);
    if (!match || !(port >= 1 && port <= 65535)) {
        throw new Error(
            `${field} ${JSON.stringify(address)} is not "host:port"; write e.g. "127.0.0.1:9002" or "[::1]:9002"`,
        );
    }
    return { host: match[1]!, port };
}
