/**
 * The edge's caddy.json: one caddy-l4 (`layer4` app) server per public port, each passing raw TCP
 * to the same port on the mailbox over the tailnet and prefixing a PROXY protocol header so that
 * Stalwart sees the real client address (SPF, DNSBL and rate limits depend on it). No TLS handler
 * and no http app: Stalwart terminates TLS itself (465/993 pass through as TCP), and the L4 app
 * could not bind ports an http app holds. Ports 80/443, when forwarded for ACME challenges, get
 * the PROXY header too, so Stalwart's listeners on them must trust the edge as well.
 */
import { portRole } from "../topology";
import { splitHostPort } from "../config/validators";

export interface CaddyL4Input {
    /** the mailbox's tailnet name (FQDN) or address, without port */
    upstreamHost: string;
    ports: number[];
    proxyProtocol: "v1" | "v2";
    /** Caddy's admin endpoint; must stay on loopback (default "localhost:2019") */
    adminListen?: string;
}

export const DEFAULT_ADMIN_LISTEN = "localhost:2019";

/** A layer4 server is named for the Stalwart listener it feeds (topology.ts). */
export function serverName(port: number): string {
    return portRole(port).name;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The admin API can rewrite the running config, so it must never listen beyond loopback. */
export function adminAddress(adminListen: string): { host: string; port: number } {
    const address = splitHostPort("caddy adminListen", adminListen);
    if (!LOOPBACK_HOSTS.has(address.host)) {
        throw new Error(
            `caddy adminListen ${JSON.stringify(adminListen)} is not a loopback address; the admin API can replace the config, so use e.g. "localhost:2019"`,
        );
    }
    return address;
}

/** Host as it goes before ":<port>" in a dial address (the mailbox FQDN from checked Settings); IPv6 literals get brackets. */
function dialHost(upstreamHost: string): string {
    return upstreamHost.includes(":") && !upstreamHost.startsWith("[") ? `[${upstreamHost}]` : upstreamHost;
}

export function caddyConfig(i: CaddyL4Input): Record<string, unknown> {
    const host = dialHost(i.upstreamHost);
    const adminListen = i.adminListen ?? DEFAULT_ADMIN_LISTEN;
    adminAddress(adminListen);

    const servers: Record<string, unknown> = {};
    // Sorted so the file (and the container's upload) does not change when only the order of
    // the configured ports does.
    for (const port of [...i.ports].sort((a, b) => a - b)) {
        servers[serverName(port)] = {
            listen: [`:${port}`],
            routes: [
                {
                    handle: [
                        {
                            handler: "proxy",
                            proxy_protocol: i.proxyProtocol,
                            upstreams: [{ dial: [`${host}:${port}`] }],
                        },
                    ],
                },
            ],
        };
    }
    return {
        // persist=false: the file is the only source of truth; no autosave under /config.
        admin: { listen: adminListen, config: { persist: false } },
        apps: { layer4: { servers } },
    };
}

export function renderCaddyJson(i: CaddyL4Input): string {
    return `${JSON.stringify(caddyConfig(i), null, 2)}\n`;
}
