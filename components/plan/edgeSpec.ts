/**
 * The edge container: Caddy + caddy-l4 on the public host, the only container in the project
 * that publishes ports. It reads caddy.json (renderCaddyJson) and keeps its data dir on a named
 * volume.
 */
import type { ContainerSpec } from "./spec";
import { adminAddress, DEFAULT_ADMIN_LISTEN } from "./caddyJson";

export const CADDY_CONFIG_PATH = "/etc/caddy/caddy.json";
const CADDY_DATA_DIR = "/data";

export interface EdgeSpecInput {
    containerName: string;
    image: string;
    ports: number[];
    /** the rendered caddy.json (renderCaddyJson of the same ports) */
    caddyJson: string;
    dataVolume: string;
    /** resolvers for the container; empty: Docker's default */
    dns?: string[];
}

export function edgeSpec(i: EdgeSpecInput): ContainerSpec {
    // The admin address is the renderer's own constant: read it from there, never back from the JSON.
    const admin = adminAddress(DEFAULT_ADMIN_LISTEN);
    const published = [...i.ports].sort((a, b) => a - b);
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
