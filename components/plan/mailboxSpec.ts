/**
 * The two containers on the mailbox host: `ts-stalwart` (Tailscale in kernel mode, owns the
 * network namespace) and Stalwart, which joins that namespace and so has no ports, hostname or
 * DNS of its own. Every mail port is reachable only on the tailnet; the edge is the one public
 * surface.
 */
import { MANAGEMENT_PORT } from "../topology";
import { type ContainerSpec, type EnvValue, type HealthcheckSpec, secretRef } from "./spec";
import { splitHostPort } from "../config/validators";

const TS_STATE_DIR = "/var/lib/tailscale";
const STALWART_DATA_DIR = "/var/lib/stalwart";
export const STALWART_CONFIG_PATH = "/etc/stalwart/config.json";

export interface SidecarSpecInput {
    containerName: string;
    image: string;
    /** the tailnet device name, also the container hostname (Stalwart inherits it) */
    hostname: string;
    tags: string[];
    auth: "tailnetKey" | "oauth";
    ephemeral: boolean;
    stateVolume: string;
    /** where containerboot serves /healthz, e.g. "127.0.0.1:9002" */
    healthAddress: string;
}

/**
 * What the shell appends to the OAuth client secret before it becomes `TS_AUTHKEY`: an OAuth
 * secret mints a fresh auth key at login, and these query parameters choose that key's
 * properties. Unused with `auth: "tailnetKey"` (a pre-made key carries its own properties).
 */
export function oauthAuthKeySuffix(ephemeral: boolean): string {
    return `?ephemeral=${ephemeral}&preauthorized=true`;
}

/** `0.0.0.0`/`[::]` listen everywhere; a probe must dial a concrete loopback address. */
function probeAddress(field: string, address: string): string {
    const { host, port } = splitHostPort(field, address);
    if (host === "0.0.0.0") return `127.0.0.1:${port}`;
    if (host === "[::]") return `[::1]:${port}`;
    return `${host}:${port}`;
}

export function sidecarSpec(i: SidecarSpecInput): ContainerSpec {
    const extraArgs = i.auth === "oauth" ? [`--advertise-tags=${i.tags.join(",")}`] : [];
    const env: Record<string, EnvValue> = {
        TS_AUTHKEY: secretRef("tailscaleAuthKey"),
        TS_HOSTNAME: i.hostname,
        TS_STATE_DIR: TS_STATE_DIR,
        // kernel mode: Stalwart sees the edge's real 100.x peer address (needed for PROXY trust)
        // and can route to the tailnet backends; userspace mode would show 127.0.0.1.
        TS_USERSPACE: "false",
        TS_ACCEPT_DNS: "true",
        // state is persisted, so log in once; re-login on every start would burn keys
        TS_AUTH_ONCE: "true",
        TS_ENABLE_HEALTH_CHECK: "true",
        TS_LOCAL_ADDR_PORT: i.healthAddress,
    };
    if (extraArgs.length > 0) env["TS_EXTRA_ARGS"] = extraArgs.join(" ");
    // The tailscale image is Alpine-based: busybox wget is there, curl is not.
    const healthcheck: HealthcheckSpec = {
        test: [
            "CMD",
            "wget",
            "-q",
            "-O",
            "/dev/null",
            `http://${probeAddress("sidecar healthAddress", i.healthAddress)}/healthz`,
        ],
        intervalSeconds: 15,
        timeoutSeconds: 5,
        startPeriodSeconds: 30,
        retries: 3,
    };
    return {
        host: "mailbox",
        name: i.containerName,
        image: i.image,
        env,
        hostname: i.hostname,
        ports: [],
        mounts: [{ volume: i.stateVolume, containerPath: TS_STATE_DIR }],
        files: [],
        capabilities: ["NET_ADMIN", "NET_RAW"],
        devices: [{ hostPath: "/dev/net/tun", containerPath: "/dev/net/tun" }],
        healthcheck,
        restart: "unless-stopped",
        labels: { "tailwart.role": "tailscale-sidecar" },
    };
}

export interface StalwartSpecInput {
    containerName: string;
    image: string;
    /** the sidecar's container name; Stalwart joins its network namespace */
    sidecarContainer: string;
    dataVolume: string;
    /**
     * named volume for /etc/stalwart: the image declares it a VOLUME, and left unnamed Docker makes a
     * new anonymous volume on every recreate (the seed's "orphaned volumes" pitfall)
     */
    configVolume?: string;
    /** the rendered config.json (renderConfigJson) */
    configJson: string;
    /** env variable the config.json's authSecret names */
    dbPasswordEnv: string;
    env?: Record<string, EnvValue>;
}

export function stalwartSpec(i: StalwartSpecInput): ContainerSpec {
    // the password variable comes last: nothing in `env` may replace it
    const env: Record<string, EnvValue> = { ...i.env, [i.dbPasswordEnv]: secretRef("postgresPassword") };
    return {
        host: "mailbox",
        name: i.containerName,
        image: i.image,
        env,
        // Docker rejects ports, hostname and DNS on a container that joins another's netns.
        networkMode: `container:${i.sidecarContainer}`,
        ports: [],
        // A named volume: left unmounted, the image's VOLUME becomes an anonymous volume that
        // is orphaned (with all mail) on every recreate.
        mounts: [
            { volume: i.dataVolume, containerPath: STALWART_DATA_DIR },
            ...(i.configVolume ? [{ volume: i.configVolume, containerPath: "/etc/stalwart" }] : []),
        ],
        // Root-owned and read-only for everyone (Stalwart runs as uid 2000): the file holds no
        // secret, and x:DataStore/set must not rewrite what Pulumi owns.
        files: [{ containerPath: STALWART_CONFIG_PATH, content: i.configJson, mode: 0o444 }],
        capabilities: [],
        devices: [],
        // The image's own HEALTHCHECK probe (its HTTPS fallback aside), X-Forwarded-For included.
        healthcheck: {
            test: [
                "CMD",
                "curl",
                "-fsS",
                "-o",
                "/dev/null",
                "-H",
                "X-Forwarded-For: 127.0.0.1",
                `http://127.0.0.1:${MANAGEMENT_PORT}/healthz/live`,
            ],
            intervalSeconds: 30,
            timeoutSeconds: 5,
            startPeriodSeconds: 30,
            retries: 3,
        },
        restart: "unless-stopped",
        labels: { "tailwart.role": "stalwart" },
    };
}
