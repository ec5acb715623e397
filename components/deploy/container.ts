/**
 * The one mapper from a plan's ContainerSpec to docker.ContainerArgs, used by every container, so
 * a rule about containers (secrets, named volumes, no ports in a shared netns) lives in one place.
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { type ContainerSpec, isSecretRef } from "../plan/spec";

/** Values of the plan's SecretRefs, by secret name (plan.ts SECRETS). */
export type SecretValues = Record<string, pulumi.Input<string>>;

type Label = docker.types.input.ContainerLabel;

/** Docker labels as the provider wants them, sorted so the order never shows up as a diff. */
export function labelsOf(labels: Record<string, pulumi.Input<string>>): Label[] {
    return Object.keys(labels)
        .sort()
        .map((label) => ({ label, value: labels[label]! }));
}

/** Docker wants healthcheck durations as text with a unit. */
function seconds(n: number): string {
    return `${n}s`;
}

/**
 * Env as `NAME=value` lines. A SecretRef becomes a Pulumi secret (Pulumi then treats the whole
 * `envs` property as secret); a SecretRef nobody supplied is a programming error, reported by name.
 */
function envsOf(spec: ContainerSpec, secrets: SecretValues): pulumi.Input<string>[] {
    return Object.keys(spec.env)
        .sort()
        .map((name) => {
            const value = spec.env[name]!;
            if (!isSecretRef(value)) return `${name}=${value}`;
            const secret = secrets[value.secret];
            if (secret === undefined) {
                const known = Object.keys(secrets).sort().join(", ") || "none";
                throw new Error(
                    `container ${spec.name}: env ${name} needs secret "${value.secret}", which was not supplied (supplied: ${known})`,
                );
            }
            return pulumi.secret(pulumi.interpolate`${name}=${secret}`);
        });
}

/**
 * Docker refuses hostname and published ports on a container that joins another one's network
 * namespace; catching it here gives the plan's author a message instead of a failed `pulumi up`.
 */
function checkSharedNetns(spec: ContainerSpec): void {
    if (!spec.networkMode?.startsWith("container:")) return;
    const bad = [
        spec.hostname !== undefined && "hostname",
        spec.ports.length > 0 && "ports",
        (spec.dns?.length ?? 0) > 0 && "dns",
    ].filter(Boolean);
    if (bad.length > 0) {
        throw new Error(
            `container ${spec.name} shares ${spec.networkMode}'s network namespace and must not set ${bad.join(" or ")}`,
        );
    }
}

export function containerArgs(spec: ContainerSpec, secrets: SecretValues): docker.ContainerArgs {
    checkSharedNetns(spec);
    const hc = spec.healthcheck;
    return {
        name: spec.name,
        image: spec.image,
        ...(spec.command ? { command: spec.command } : {}),
        envs: envsOf(spec, secrets),
        ...(spec.networkMode ? { networkMode: spec.networkMode } : {}),
        ...(spec.hostname ? { hostname: spec.hostname } : {}),
        ...(spec.dns?.length ? { dns: spec.dns } : {}),
        // Publishing is the edge's job alone; an empty list would still be a (noisy) property.
        ...(spec.ports.length > 0
            ? { ports: spec.ports.map((p) => ({ internal: p.internal, external: p.external, protocol: p.protocol })) }
            : {}),
        // Named volumes only: an unmounted image VOLUME becomes an anonymous volume, orphaned on every recreate.
        mounts: spec.mounts.map((m) => ({
            type: "volume",
            source: m.volume,
            target: m.containerPath,
            readOnly: m.readOnly ?? false,
        })),
        uploads: spec.files.map((f) => ({
            file: f.containerPath,
            content: f.content,
            ...(f.mode !== undefined ? { permissions: `0${f.mode.toString(8)}` } : {}),
        })),
        ...(spec.capabilities.length > 0 ? { capabilities: { adds: spec.capabilities } } : {}),
        ...(spec.devices.length > 0
            ? { devices: spec.devices.map((d) => ({ hostPath: d.hostPath, containerPath: d.containerPath })) }
            : {}),
        ...(hc
            ? {
                  healthcheck: {
                      tests: hc.test,
                      interval: seconds(hc.intervalSeconds),
                      timeout: seconds(hc.timeoutSeconds),
                      startPeriod: seconds(hc.startPeriodSeconds),
                      retries: hc.retries,
                  },
              }
            : {}),
        restart: spec.restart,
        labels: labelsOf(spec.labels),
    };
}
