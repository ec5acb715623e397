/**
 * The edge container: Caddy + caddy-l4 on the public host, the only container in the project
 * that publishes ports. It reads caddy.json (renderCaddyJson) and keeps its data dir on a named
 * volume.
 */
import type { ContainerSpec } from "./spec";
import { assertDockerName, assertPinnedImage, assertPortList } from "./specChecks";
import { adminAddress, DEFAULT_ADMIN_LISTEN } from "./caddyJson";

export const CADDY_CONFIG_PATH = "/etc/caddy/caddy.json";
const CADDY_DATA_DIR = "/data";

export interface EdgeSpecInput {
    containerName: string;
    image: string;
    ports: number[];
    /** the rendered caddy.json (renderCaddyJson) */
    caddyJson: string;
    dataVolume: string;
    /** resolvers for the container; empty: Docker's default */
    dns?: string[];
}

interface ParsedCaddyJson {
    listenPorts: number[];
    adminListen: string;
}

/** Reads back what the container needs from caddy.json: the L4 listen ports and the admin address. */
function parseCaddyJson(caddyJson: string): ParsedCaddyJson {
    let doc: { apps?: { layer4?: { servers?: unknown } }; admin?: { listen?: string } } | null;
    try {
        doc = JSON.parse(caddyJson);
    } catch (e) {
        throw new Error(`edge caddyJson is not valid JSON (${(e as Error).message}); pass the output of renderCaddyJson()`, { cause: e });
    }
    const servers = doc?.apps?.layer4?.servers;
    if (typeof servers !== "object" || servers === null) {
        throw new Error(`edge caddyJson has no apps.layer4.servers; pass the output of renderCaddyJson()`);
    }
    const listenPorts: number[] = [];
    for (const [name, server] of Object.entries(servers as Record<string, { listen?: unknown[] } | null>)) {
        for (const listen of server?.listen ?? []) {
            const match = /:(\d+)$/.exec(String(listen));
            if (!match) throw new Error(`edge caddyJson server ${name} listens on ${JSON.stringify(listen)}, which has no port`);
            listenPorts.push(Number(match[1]));
        }
    }
    return { listenPorts, adminListen: doc?.admin?.listen ?? DEFAULT_ADMIN_LISTEN };
}

export function edgeSpec(i: EdgeSpecInput): ContainerSpec {
    assertDockerName("edge containerName", i.containerName);
    assertPinnedImage("edge image", i.image);
    assertDockerName("edge dataVolume", i.dataVolume);
    assertPortList("edge ports", i.ports);

    const parsed = parseCaddyJson(i.caddyJson);
    const published = [...i.ports].sort((a, b) => a - b);
    const listened = [...parsed.listenPorts].sort((a, b) => a - b);
    if (published.join(",") !== listened.join(",")) {
        throw new Error(
            `edge ports [${published.join(", ")}] differ from the ports caddy.json listens on [${listened.join(", ")}]; render caddy.json from the same port list`,
        );
    }
    const admin = adminAddress(parsed.adminListen);
    // Caddy resolves "localhost" to 127.0.0.1 when it binds, and allows that Host header.
    const adminHost = admin.host === "localhost" ? "127.0.0.1" : admin.host;

    return {
        host: "edge",
        name: i.containerName,
        image: i.image,
        command: ["caddy", "run", "--config", CADDY_CONFIG_PATH],
        env: {},
        ports: published.map((port) => ({ internal: port, external: port, protocol: "tcp" as const })),
        // caddy-l4 dials <tailscaleHostname>.<tailnet>: a MagicDNS name the host's upstream resolvers may not know
        ...(i.dns?.length ? { dns: [...i.dns] } : {}),
        mounts: [{ volume: i.dataVolume, containerPath: CADDY_DATA_DIR }],
        files: [{ containerPath: CADDY_CONFIG_PATH, content: i.caddyJson, mode: 0o444 }],
        capabilities: [],
        devices: [],
        // `caddy run` exits when caddy.json fails to load, so an answering admin API means the
        // layer4 servers are up. Unlike a TCP probe of :25 it opens no connection to Stalwart
        // (no empty SMTP session every interval). busybox wget ships in the Alpine image.
        healthcheck: {
            test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://${adminHost}:${admin.port}/config/`],
            intervalSeconds: 30,
            timeoutSeconds: 5,
            startPeriodSeconds: 10,
            retries: 3,
        },
        restart: "unless-stopped",
        labels: { "tailwart.role": "edge" },
    };
}
