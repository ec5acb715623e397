import { isIP } from "node:net";

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
function readEndpoint(text: string, schemes: string[], options: EndpointOptions): { parts?: EndpointParts; problems: string[] } {
    const trimmed = text.trim();
    const shown = `"${maskUrl(trimmed)}"`;
    const example = `${schemes[0]}://<host>.<tailnet>:<port>`;
    const parts = splitUserinfo(trimmed);
    if (!parts || /\s/.test(trimmed)) return { problems: [`${shown} is not a URL; write it as ${example}`] };
    const m = /^(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(parts.rest);
    if (!m) return { problems: [`${shown} is not a URL; write it as ${example}`] };
    const [, host, port, path, query, fragment] = m as unknown as [string, string, string | undefined, string, string | undefined, string | undefined];
    const problems: string[] = [];
    const given = parts.prefix.slice(0, -3);
    const schemeOk = schemes.includes(given.toLowerCase());
    const scheme = schemeOk ? given.toLowerCase() : schemes[0]!;
    if (!schemeOk) problems.push(`${shown} uses scheme ${given}; expected ${schemes.join(" or ")}, e.g. ${example}`);
    const credentials = parts.userinfo !== undefined && parts.userinfo.includes(":") && parts.userinfo.slice(parts.userinfo.indexOf(":") + 1) !== "";
    if (credentials && options.credentials !== true) {
        const where = typeof options.credentials === "string" ? ` (${options.credentials})` : "";
        problems.push(`${shown} carries a password; remove the credentials from the URL${where}`);
    }
    if (host === "") problems.push(`${shown} has no host; write it as ${example}`);
    let n: number | undefined;
    if (port === undefined || port === "") {
        problems.push(`${shown} has no explicit port; add it, e.g. ${scheme}://${exampleHost(host, options.host)}:<port>${path}`);
    } else if (!/^\d+$/.test(port)) {
        problems.push(`${shown} has port "${port}", which is not a number; write it as ${example}`);
    } else if (Number(port) < 1 || Number(port) > 65535) {
        problems.push(`${shown} has port ${port}, outside 1-65535`);
    } else {
        n = Number(port);
    }
    if (query !== undefined && !options.query) {
        problems.push(`${shown} has a query string (?${maskQuery(query)}); remove it, the address takes no options`);
    }
    if (fragment !== undefined && !(options.fragments ?? []).includes(fragment)) {
        problems.push(`${shown} has a fragment (#${fragment}); remove it`);
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
export function parseEndpoint(text: string, schemes: string[], options: EndpointOptions = {}): { endpoint?: Endpoint; problem?: string; problems: string[] } {
    const { parts, problems } = readEndpoint(text, schemes, options);
    if (problems.length > 0 || !parts || parts.port === undefined) return { problem: problems[0], problems };
    const { scheme, host, port, path, query, fragment, credentials } = parts;
    return { endpoint: { scheme, host, port, path, query: query ?? "", fragment: fragment ?? "", credentials }, problems: [] };
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
export function parseRedisUrl(text: string, host?: HostHint): { target?: RedisTarget; problem?: string; problems: string[] } {
    const fragments = /^rediss:/i.test(text.trim()) ? ["insecure"] : [];
    const { parts, problems } = readEndpoint(text, ["redis", "rediss"], { query: true, credentials: true, fragments, host });
    if (!parts) return { problem: problems[0], problems };
    const shown = `"${maskUrl(text.trim())}"`;
    const example = `${parts.scheme}://${exampleHost(parts.host, host)}:${parts.port ?? 6379}/3`;
    for (const pair of (parts.query ?? "").split("&").filter(Boolean)) {
        const [key = "", value = ""] = pair.split("=", 2);
        const allowed = REDIS_QUERY[key];
        if (key === "db") {
            problems.push(`${shown} selects the DB with ?db=; put the index in the path instead, e.g. ${example}`);
        } else if (!allowed) {
            problems.push(
                `${shown} has the query parameter "${key}", which Stalwart's Redis client does not read; remove it (the one it reads is protocol=resp2|resp3; the DB index goes in the path, /<0-15>)`,
            );
        } else if (!allowed.includes(value)) {
            problems.push(`${shown} has ${key}=${value}; use ${key}=${allowed.join(" or ")}`);
        }
    }
    const db = /^\/(\d+)\/?$/.exec(parts.path);
    if (!db) {
        problems.push(`${shown} has no logical DB index; end it with /<0-15>, e.g. ${example}, so Stalwart does not share DB 0 with other apps`);
    } else if (Number(db[1]) > 15) {
        problems.push(`${shown} selects DB ${Number(db[1])}; Redis has DBs 0-15`);
    }
    if (problems.length > 0 || parts.port === undefined || !db) return { problem: problems[0], problems };
    return { target: { host: parts.host, port: parts.port, db: Number(db[1]), credentials: parts.credentials }, problems: [] };
}

/** A docker host's address: how it is meant (mailbox: a tailnet host; edge: a public or tailnet name), for the hints. */
export interface DockerHostHint {
    /** the stack's tailnet, when known */
    tailnet?: string;
    /** the stack's domain, when known (the edge's example is edge.<domain>) */
    domain?: string;
    kind: "tailnet" | "public";
}

/**
 * Problems of a docker host URL (`DOCKER_HOST`): for ssh:// and tcp:// the host must be a full DNS
 * name or an IP address (a bare name resolves only where a search domain happens to apply), tcp://
 * needs an explicit port; unix:// and npipe:// are taken as they are.
 */
export function dockerHostProblems(text: string, hint: DockerHostHint): string[] {
    const trimmed = text.trim();
    const shown = `"${maskUrl(trimmed)}"`;
    if (!DOCKER_HOST.test(trimmed) || /\s/.test(trimmed)) {
        return [`${shown} is not a docker host URL; use ssh://user@host, unix:///var/run/docker.sock or tcp://host:2376`];
    }
    const parts = splitUserinfo(trimmed)!;
    const scheme = parts.prefix.slice(0, -3);
    if (scheme !== "ssh" && scheme !== "tcp") return [];
    const [, host = "", port] = /^(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?/.exec(parts.rest) ?? [];
    const after = parts.rest.slice(host.length);
    const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
    const label = bare.split(".")[0] || (hint.kind === "tailnet" ? "mailbox" : "edge");
    const tailnet = hint.tailnet ?? "tailXXXX.ts.net";
    const suggest = hint.kind === "tailnet" ? `${label}.${tailnet}` : `${label}.${hint.domain ?? "example.com"}`;
    const withHost = (h: string, rest = after) => maskUrl(`${parts.prefix}${parts.userinfo !== undefined ? `${parts.userinfo}@` : ""}${h}${rest}`);
    const problems: string[] = [];
    if (host === "") {
        problems.push(`${shown} has no host; write it as ${withHost(suggest)}`);
    } else if (isIP(bare) === 0) {
        const labels = bare.replace(/\.$/, "").split(".");
        if (labels.length < 2) {
            problems.push(
                hint.kind === "tailnet"
                    ? `${shown} has the bare host "${host}", which resolves only where tailnet DNS search happens to apply; write its full MagicDNS name or an IP address, e.g. ${withHost(suggest)}`
                    : `${shown} has the bare host "${host}"; write a full DNS name (its public name, or <host>.<tailnet>) or an IP address, e.g. ${withHost(suggest)} or ${withHost(`${label}.${tailnet}`)}`,
            );
        } else {
            const problem = fqdnProblem(bare, { kind: hint.kind });
            if (problem) problems.push(`${shown} has the host ${problem}`);
        }
    }
    if (port === undefined || port === "") {
        if (scheme === "tcp") problems.push(`${shown} has no explicit port; add it, e.g. ${withHost(host === "" ? suggest : host, `:2376${after}`)} (2376 with TLS, 2375 without)`);
    } else if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
        problems.push(`${shown} has port "${port}", which is not a TCP port (1-65535)`);
    }
    return problems;
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
export const DOCKER_HOST = /^(unix|ssh|tcp|npipe):\/\/.+/;
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
        throw new Error(`${field} ${JSON.stringify(address)} is not "host:port"; write e.g. "127.0.0.1:9002" or "[::1]:9002"`);
    }
    return { host: match[1]!, port };
}
