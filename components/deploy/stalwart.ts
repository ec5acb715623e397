/**
 * The Stalwart container. It joins the sidecar's network namespace (`container:<sidecar id>`), so
 * it publishes nothing and has no hostname or DNS of its own; its data lives on a named volume that
 * `pulumi destroy` keeps unless the stack allows data loss. It starts behind the one-instance gate:
 * only once no other client holds a session as its Postgres role (decision 014).
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ContainerSpec, VolumeSpec } from "../plan/spec";
import type { SecretValues } from "./container";
import { ONE_INSTANCE_LABEL, OneInstanceGate, type OneInstanceGateArgs } from "./oneInstanceGate";
import { plannedContainer } from "./plannedContainer";

/** Arguments of {@link StalwartMailbox}. */
export interface StalwartMailboxArgs {
    /** plan.mailbox.stalwart (networkMode `container:<sidecar name>`) */
    container: ContainerSpec;
    /** the mailbox host's volumes (plan.mailbox.volumes); the data volume must be among them */
    volumes: VolumeSpec[];
    /**
     * the sidecar container's id: Stalwart joins `container:<id>`, so a new or renamed sidecar (a
     * new netns) replaces Stalwart with it in the same up
     */
    sidecarContainerId: pulumi.Input<string>;
    /** values of the spec's SecretRefs: DB password and S3 keys */
    secrets: SecretValues;
    /** the mailbox host's docker provider */
    dockerProvider: docker.Provider;
    /** what must exist before Stalwart starts and opens its stores (the database, the bucket) */
    startAfter?: pulumi.Resource[];
    /**
     * where the one-instance gate looks, as the Postgres admin, for sessions of Stalwart's role, and
     * how long a predecessor's may take to close; the gate names the container itself
     */
    oneInstance: Omit<OneInstanceGateArgs, "key" | "containerName">;
}

/**
 * The Stalwart container in the sidecar's network namespace: no ports, no hostname, data on a
 * named volume kept on destroy unless the stack allows data loss.
 */
export class StalwartMailbox extends pulumi.ComponentResource {
    /** the docker container's name */
    declare public readonly containerName: pulumi.Output<string>;
    /** the docker container's id */
    declare public readonly containerId: pulumi.Output<string>;
    /** the named data volume (`/var/lib/stalwart`) */
    declare public readonly volumeName: pulumi.Output<string>;

    constructor(name: string, args: StalwartMailboxArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:mailbox:StalwartMailbox", name, {}, opts);
        const spec = args.container;
        if (!spec.networkMode?.startsWith("container:")) {
            throw new Error(
                `StalwartMailbox ${name}: container ${spec.name} must join the sidecar's netns (networkMode container:<sidecar>), got ${spec.networkMode ?? "the default bridge"}`,
            );
        }
        const { container, volumes } = plannedContainer(this, name, {
            container: spec,
            volumes: args.volumes,
            secrets: args.secrets,
            dockerProvider: args.dockerProvider,
            netnsOwnerId: args.sidecarContainerId,
            // healthy = /healthz/live answers: the settings objects and the edge can talk to it
            waitHealthySeconds: 300,
            startAfter: args.startAfter,
            requireNamedVolume: true,
            startGate: (key) => {
                const gate = new OneInstanceGate(
                    `${name}-one-instance`,
                    { ...args.oneInstance, key, containerName: spec.name },
                    { parent: this, dependsOn: args.startAfter },
                );
                return { resource: gate, labels: { [ONE_INSTANCE_LABEL]: gate.id } };
            },
        });
        this.containerName = container.name;
        this.containerId = container.id;
        // stalwartSpec mounts the data volume first
        this.volumeName = volumes[0]!.name;
        this.registerOutputs({
            containerName: this.containerName,
            containerId: this.containerId,
            volumeName: this.volumeName,
        });
    }
}
