/**
 * The Stalwart container. It joins the sidecar's network namespace (`container:<sidecar>`), so it
 * publishes nothing and has no hostname or DNS of its own; its data lives on a named volume that
 * `pulumi destroy` keeps unless the stack allows data loss.
 */
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { containerArgs, labelsOf, type SecretValues } from "./container";
import { pulledImage } from "./image";
import { namedVolumes, volumesOf } from "./volume";
import type { ContainerSpec, VolumeSpec } from "../plan/spec";

/** Label holding the id of the container whose netns Stalwart joined; its change forces a replacement. */
export const NETNS_OWNER_LABEL = "tailwart.netns-owner-id";

export interface StalwartMailboxArgs {
    /** plan.mailbox.stalwart (networkMode container:<sidecar name>) */
    container: ContainerSpec;
    /** the mailbox host's volumes (plan.mailbox.volumes); the data volume must be among them */
    volumes: VolumeSpec[];
    /** the sidecar container's id: a new sidecar means a new netns, so Stalwart is replaced with it */
    sidecarContainerId: pulumi.Input<string>;
    /** values of the spec's SecretRefs: DB password and S3 keys */
    secrets: SecretValues;
    /** the mailbox host's docker provider */
    dockerProvider: docker.Provider;
    /** what must exist before Stalwart starts and opens its stores (the database, the bucket) */
    startAfter?: pulumi.Resource[];
}

export class StalwartMailbox extends pulumi.ComponentResource {
    declare public readonly containerName: pulumi.Output<string>;
    declare public readonly containerId: pulumi.Output<string>;
    declare public readonly volumeName: pulumi.Output<string>;

    constructor(name: string, args: StalwartMailboxArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:mailbox:StalwartMailbox", name, {}, opts);
        const spec = args.container;
        if (!spec.networkMode?.startsWith("container:")) {
            throw new Error(`StalwartMailbox ${name}: container ${spec.name} must join the sidecar's netns (networkMode container:<sidecar>), got ${spec.networkMode ?? "the default bridge"}`);
        }
        const onHost = { parent: this, provider: args.dockerProvider };
        // Everything that can refuse the spec runs before the first child resource exists.
        const mapped = containerArgs(spec, args.secrets);
        const volumeSpecs = volumesOf(spec, args.volumes);
        if (volumeSpecs.length === 0) {
            throw new Error(`StalwartMailbox ${name}: container ${spec.name} mounts no named volume; its data would land on an anonymous volume, orphaned on the next recreate`);
        }
        const volumes = namedVolumes(name, volumeSpecs, onHost);
        const image = pulledImage(`${name}-image`, spec.image, onHost);
        const container = new docker.Container(
            `${name}-container`,
            {
                ...mapped,
                image: image.imageId,
                // healthy = /healthz/live answers: the settings objects and the edge can talk to it
                wait: true,
                waitTimeout: 300,
                labels: labelsOf({ ...spec.labels, [NETNS_OWNER_LABEL]: args.sidecarContainerId }),
            },
            {
                ...onHost,
                dependsOn: [...volumes, ...(args.startAfter ?? [])],
                // A container left on a replaced sidecar's netns has no network at all. Docker
                // stores networkMode as `container:<resolved id>`, which never equals the name we
                // give (a perpetual diff), so networkMode is ignored and the sidecar's id label
                // triggers the replacement instead. Caveat: ignoreChanges keeps the old value on
                // that replacement too: right while the sidecar keeps its name; renaming it needs
                // one `pulumi up` with this option removed.
                ignoreChanges: ["networkMode"],
                replaceOnChanges: ["labels"],
                // One data store, one Stalwart: never two at once (and the name is fixed).
                deleteBeforeReplace: true,
            },
        );

        this.containerName = container.name;
        this.containerId = container.id;
        // stalwartSpec mounts the data volume first
        this.volumeName = volumes[0]!.name;
        this.registerOutputs({ containerName: this.containerName, containerId: this.containerId, volumeName: this.volumeName });
    }
}
