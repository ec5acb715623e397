/**
 * The plan's vocabulary: plain data that says what lands on a host. Pure functions of Settings
 * produce these (components/<room>/spec.ts); Pulumi components only turn them into resources,
 * and `npm run plan` prints them. Secrets never appear here in clear: a container names the
 * env variable and the plan-level secret it comes from (`SecretRef`), and the shell wires the
 * secret Output in.
 */

import type { PlanSecretName } from "../topology";

/** Which docker provider (host) a container or volume lives on. */
export type HostRole = "mailbox" | "edge";

/** A value that is a secret: the name of the secret in the plan, resolved by the shell. */
export interface SecretRef {
    secret: string;
}

/** A reference to one of the plan's named secrets (topology.ts PLAN_SECRETS). */
export function secretRef(name: PlanSecretName): SecretRef {
    return { secret: name };
}

export type EnvValue = string | SecretRef;

export function isSecretRef(v: unknown): v is SecretRef {
    return typeof v === "object" && v !== null && typeof (v as SecretRef).secret === "string";
}

export interface VolumeSpec {
    host: HostRole;
    /** docker volume name */
    name: string;
    /** kept on `pulumi destroy` unless the stack allows data loss */
    retain: boolean;
    labels?: Record<string, string>;
}

export interface MountSpec {
    volume: string;
    containerPath: string;
    readOnly?: boolean;
}

/** A file written into the container before it starts (docker `uploads`). */
export interface FileSpec {
    containerPath: string;
    content: string;
    /** octal mode, e.g. 0o440 */
    mode?: number;
}

export interface HealthcheckSpec {
    test: string[];
    intervalSeconds: number;
    timeoutSeconds: number;
    startPeriodSeconds: number;
    retries: number;
}

export interface PortSpec {
    internal: number;
    external: number;
    protocol: "tcp" | "udp";
}

export interface ContainerSpec {
    host: HostRole;
    /** docker container name */
    name: string;
    image: string;
    command?: string[];
    env: Record<string, EnvValue>;
    /** "bridge", "host", "none", or "container:<name>" to share another container's netns */
    networkMode?: string;
    hostname?: string;
    /** resolver addresses; unset: Docker's default (the host's resolv.conf) */
    dns?: string[];
    ports: PortSpec[];
    mounts: MountSpec[];
    files: FileSpec[];
    capabilities: string[];
    devices: { hostPath: string; containerPath: string }[];
    healthcheck?: HealthcheckSpec;
    restart: "no" | "on-failure" | "always" | "unless-stopped";
    labels: Record<string, string>;
}
