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
    /** the secret's name (a key of SECRETS, or `acmeDns.<field>`) */
    secret: string;
}

/** A reference to one of the plan's named secrets (topology.ts PLAN_SECRETS). */
export function secretRef(name: PlanSecretName): SecretRef {
    return { secret: name };
}

/** An env variable's value: text, or a reference to a secret the shell fills in. */
export type EnvValue = string | SecretRef;

export function isSecretRef(v: unknown): v is SecretRef {
    return typeof v === "object" && v !== null && typeof (v as SecretRef).secret === "string";
}

/** A named docker volume on one host. */
export interface VolumeSpec {
    /** the host it lives on */
    host: HostRole;
    /** docker volume name */
    name: string;
    /** kept on `pulumi destroy` unless the stack allows data loss */
    retain: boolean;
    /** docker labels */
    labels?: Record<string, string>;
}

/** A named volume mounted into a container. */
export interface MountSpec {
    /** the volume's name (one of the host's VolumeSpecs) */
    volume: string;
    /** where it is mounted */
    containerPath: string;
    /** mounted read-only */
    readOnly?: boolean;
}

/** A file written into the container before it starts (docker `uploads`). */
export interface FileSpec {
    /** where the file is written */
    containerPath: string;
    /** its text */
    content: string;
    /** octal mode, e.g. 0o440 */
    mode?: number;
}

/** A docker health check. */
export interface HealthcheckSpec {
    /** the check command, docker's form (`["CMD", …]`) */
    test: string[];
    /** time between checks */
    intervalSeconds: number;
    /** time a check may take */
    timeoutSeconds: number;
    /** grace period after start */
    startPeriodSeconds: number;
    /** failures before unhealthy */
    retries: number;
}

/** A published port (only the edge publishes any). */
export interface PortSpec {
    /** the container's port */
    internal: number;
    /** the host's port */
    external: number;
    /** the transport */
    protocol: "tcp" | "udp";
}

/** One container as plain data: what {@link PlannedContainer} turns into a docker container. */
export interface ContainerSpec {
    /** the host it runs on */
    host: HostRole;
    /** docker container name */
    name: string;
    /** the image reference */
    image: string;
    /** the command, replacing the image's */
    command?: string[];
    /** env variables; secrets by reference only */
    env: Record<string, EnvValue>;
    /** "bridge", "host", "none", or `container:<name>` to share another container's netns */
    networkMode?: string;
    /** the container's hostname (never with a `container:` network mode) */
    hostname?: string;
    /** resolver addresses; unset: Docker's default (the host's resolv.conf) */
    dns?: string[];
    /** published ports */
    ports: PortSpec[];
    /** named volumes mounted */
    mounts: MountSpec[];
    /** files written before start */
    files: FileSpec[];
    /** added Linux capabilities */
    capabilities: string[];
    /** host devices passed in */
    devices: {
        /** the device on the host */
        hostPath: string;
        /** where the container sees it */
        containerPath: string;
    }[];
    /** the health check */
    healthcheck?: HealthcheckSpec;
    /** docker's restart policy */
    restart: "no" | "on-failure" | "always" | "unless-stopped";
    /** docker labels */
    labels: Record<string, string>;
}
