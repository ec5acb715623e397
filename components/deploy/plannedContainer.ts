/**
 * One planned container made real, the same way for every container of the deployment: its named
 * volumes (retained as the plan says), its image (pulled by reference, or built on the host's own
 * daemon), and the docker.Container from the one spec mapper, waiting until healthy when asked. A
 * new container is a plan entry plus a call to this, not a new copy of these steps.
 */
import * as path from "node:path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { ImagePlan } from "../plan";
import type { ContainerSpec, VolumeSpec } from "../plan/spec";
import { containerArgs, labelsOf, type SecretValues } from "./container";
import { pulledImage } from "./image";
import { type ReplacementKey, replacementKey } from "./replacementKey";
import { namedVolumes, volumesOf } from "./volume";

/** Arguments of {@link PlannedContainer}. */
export interface PlannedContainerArgs {
    /** the container's spec from the plan */
    container: ContainerSpec;
    /** the host's declared volumes (`plan.<host>.volumes`); the container's mounts must be among them */
    volumes: VolumeSpec[];
    /** values of the spec's SecretRefs, by secret name */
    secrets?: SecretValues;
    /** the host's docker provider */
    dockerProvider: docker.Provider;
    /** how the image is had (default: pull `container.image`) */
    image?: ImagePlan;
    /** where a build context is resolved (default: tailwart's own directory, which holds caddy/) */
    projectRoot?: string;
    /**
     * the id of the container whose network namespace this one joins (the spec says
     * `container:<name>`): Docker stores `container:<id>` as given, so there is no perpetual diff,
     * and a new owner (replaced or renamed) replaces this container with it
     */
    netnsOwnerId?: pulumi.Input<string>;
    /** wait until the container's health check passes, up to this many seconds */
    waitHealthySeconds?: number;
    /** what must exist before the container starts */
    startAfter?: pulumi.Resource[];
    /** refuse a spec without a named volume (a container whose data must outlive it) */
    requireNamedVolume?: boolean;
    /**
     * a gate the container starts behind, made from the container's replacement key before the
     * container is: the container depends on it and carries its labels, a property dependency that
     * makes the engine delete the container before a replaced gate (decision 014)
     */
    startGate?: (key: ReplacementKey) => StartGate;
}

/** What must exist before a container starts, and the labels that tie the container to it. */
export interface StartGate {
    /** the resource the container waits for */
    resource: pulumi.CustomResource;
    /** labels whose values are the gate's outputs */
    labels: Record<string, pulumi.Input<string>>;
}

export interface PlannedContainerResources {
    container: docker.Container;
    volumes: docker.Volume[];
}

/** tailwart's root, the directory of package.json and caddy/: two levels above components/deploy/ and dist/deploy/. */
export const PACKAGE_ROOT = path.join(__dirname, "..", "..");

/** The image the container runs, by id, so a rebuild or a new pull replaces the container. */
function imageId(name: string, args: PlannedContainerArgs, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
    const plan: ImagePlan = args.image ?? { kind: "prebuilt", name: args.container.image };
    if (plan.kind === "prebuilt") return pulledImage(`${name}-image`, plan.name, opts).imageId;
    // Both paths are relative to the project root (as for `docker build -f caddy/Dockerfile caddy`):
    // by default tailwart's own, so the edge builds the same from the repo and from an installed package.
    const root = args.projectRoot ?? PACKAGE_ROOT;
    const image = new docker.Image(
        `${name}-image`,
        {
            imageName: plan.name,
            build: {
                context: path.resolve(root, plan.context),
                dockerfile: path.resolve(root, plan.dockerfile),
                args: plan.args,
            },
            // Built by the host's daemon and used there; there is no registry in this design.
            skipPush: true,
        },
        opts,
    );
    // For an image that is never pushed, repoDigest is the local image id.
    return image.repoDigest;
}

function networkModeOf(name: string, args: PlannedContainerArgs): pulumi.Input<string> | undefined {
    const mode = args.container.networkMode;
    const joins = mode?.startsWith("container:") ?? false;
    if (joins && args.netnsOwnerId === undefined) {
        throw new Error(
            `${name}: container ${args.container.name} joins ${mode}'s network namespace; pass that container's id as netnsOwnerId`,
        );
    }
    return joins ? pulumi.interpolate`container:${args.netnsOwnerId}` : mode;
}

/**
 * Creates the container's volumes, image and container as children of `parent` (so the URNs stay
 * those of the component that calls it). Everything that can refuse the spec runs first.
 */
export function plannedContainer(
    parent: pulumi.ComponentResource,
    name: string,
    args: PlannedContainerArgs,
): PlannedContainerResources {
    const spec = args.container;
    const onHost = { parent, provider: args.dockerProvider };
    const mapped = containerArgs(spec, args.secrets ?? {});
    const volumeSpecs = volumesOf(spec, args.volumes);
    if (args.requireNamedVolume && volumeSpecs.length === 0) {
        throw new Error(
            `${name}: container ${spec.name} mounts no named volume; its data would land on an anonymous volume, orphaned on the next recreate`,
        );
    }
    const networkMode = networkModeOf(name, args);
    const volumes = namedVolumes(name, volumeSpecs, onHost);
    const image = imageId(name, args, onHost);
    const wait = args.waitHealthySeconds !== undefined ? { wait: true, waitTimeout: args.waitHealthySeconds } : {};
    const gate = args.startGate?.(replacementKey(spec, args.secrets ?? {}, image, args.netnsOwnerId));
    const replaceOnChanges = [
        // a container left on a replaced owner's netns has no network at all
        ...(args.netnsOwnerId !== undefined ? ["networkMode"] : []),
        // a replaced gate replaces the container (Docker forces it anyway; said here so every engine sees it)
        ...(gate ? ["labels"] : []),
    ];
    const container = new docker.Container(
        `${name}-container`,
        {
            ...mapped,
            ...(gate ? { labels: labelsOf({ ...spec.labels, ...gate.labels }) } : {}),
            ...(networkMode !== undefined ? { networkMode } : {}),
            image,
            ...wait,
        },
        {
            ...onHost,
            dependsOn: [...volumes, ...(args.startAfter ?? []), ...(gate ? [gate.resource] : [])],
            // Fixed names (and, at the edge, fixed host ports): the old container must go first.
            deleteBeforeReplace: true,
            ...(replaceOnChanges.length > 0 ? { replaceOnChanges } : {}),
        },
    );
    return { container, volumes };
}

/** A planned container as a component of its own: what a new container of the deployment (a backup job, say) uses. */
export class PlannedContainer extends pulumi.ComponentResource {
    /** the docker container's name */
    declare public readonly containerName: pulumi.Output<string>;
    /** the docker container's id */
    declare public readonly containerId: pulumi.Output<string>;

    constructor(name: string, args: PlannedContainerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:deploy:PlannedContainer", name, {}, opts);
        const { container } = plannedContainer(this, name, args);
        this.containerName = container.name;
        this.containerId = container.id;
        this.registerOutputs({ containerName: this.containerName, containerId: this.containerId });
    }
}
