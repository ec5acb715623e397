/**
 * Small, pure checks of the names and addresses a stack config holds. Each returns a problem
 * sentence (to follow the key name) or undefined when the value is fine.
 */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** A full DNS name: two or more labels. Bare MagicDNS names ("garage") resolve only with tailnet DNS and fail silently in Stalwart. */
export function fqdnProblem(host: string): string | undefined {
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(":")) {
        return `is an IP address ("${host}"); use the host's full MagicDNS name (<host>.<tailnet>) so it survives IP changes`;
    }
    const name = host.endsWith(".") ? host.slice(0, -1) : host;
    const labels = name.split(".");
    if (labels.length < 2) {
        return `"${host}" is not a full DNS name: bare MagicDNS names fail silently; write it as <host>.<tailnet>, e.g. "${host}.tailXXXX.ts.net"`;
    }
    if (!labels.every((l) => LABEL.test(l))) {
        return `"${host}" is not a valid DNS name (labels of letters, digits and inner dashes, at most 63 characters)`;
    }
    return undefined;
}

export interface Endpoint {
    scheme: string;
    host: string;
    port: number;
    path: string;
}

/**
 * An http(s) endpoint with an explicit port. WHATWG URL drops a port equal to the scheme default, so
 * the authority is read from the text itself.
 */
export function parseEndpoint(text: string, schemes: string[]): { endpoint?: Endpoint; problem?: string } {
    const m = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]+)(?::(\d+))?(\/[^?#]*)?$/i.exec(text.trim());
    if (!m) return { problem: `"${text}" is not a URL; write it as ${schemes[0]}://<host>.<tailnet>:<port>` };
    const [, scheme, host, port, path] = m as unknown as [string, string, string, string | undefined, string | undefined];
    if (!schemes.includes(scheme.toLowerCase())) {
        return { problem: `"${text}" uses scheme ${scheme}; expected ${schemes.join(" or ")}` };
    }
    if (port === undefined) {
        return { problem: `"${text}" has no explicit port; add it, e.g. ${scheme}://${host}:<port>` };
    }
    const n = Number(port);
    if (n < 1 || n > 65535) return { problem: `"${text}" has port ${port}, outside 1-65535` };
    const hostProblem = fqdnProblem(host);
    if (hostProblem) return { problem: `host ${hostProblem}` };
    return { endpoint: { scheme: scheme.toLowerCase(), host, port: n, path: path ?? "" } };
}

export interface RedisTarget {
    host: string;
    port: number;
    db: number;
    url: string;
}

/** redis://[user:pass@]host:port/N with N in 0..15: the logical DB keeps Stalwart's keys apart from the other apps'. */
export function parseRedisUrl(text: string): { target?: RedisTarget; problem?: string } {
    const { endpoint, problem } = parseEndpoint(text, ["redis", "rediss"]);
    if (problem || !endpoint) return { problem };
    const db = /^\/(\d{1,2})$/.exec(endpoint.path);
    if (!db) {
        return {
            problem: `"${text}" has no logical DB index; end it with /<0-15>, e.g. redis://${endpoint.host}:${endpoint.port}/3, so Stalwart does not share DB 0 with other apps`,
        };
    }
    const n = Number(db[1]);
    if (n > 15) return { problem: `"${text}" selects DB ${n}; Redis has DBs 0-15` };
    return { target: { host: endpoint.host, port: endpoint.port, db: n, url: text.trim() } };
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
