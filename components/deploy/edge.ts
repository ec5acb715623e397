/**
 * The public edge: Caddy + caddy-l4 on the edge host, the only container that publishes ports. It
 * passes mail TCP to the mailbox over the tailnet with a PROXY header (caddy.json). The image is
 * either built from caddy/ by the edge host's daemon (no registry push) or a given prebuilt one.
 */
import * as path from "node:path";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { containerArgs } from "./container";
import { pulledImage } from "./image";
import { namedVolumes, volumesOf } from "./volume";
import type { EdgeImagePlan } from "../plan";
import type { ContainerSpec, VolumeSpec } from "../plan/spec";

export interface CaddyL4EdgeArgs {
    /** plan.edge.caddy */
    container: ContainerSpec;
    /** plan.edge.image */
    image: EdgeImagePlan;
    /** the edge host's volumes (plan.edge.volumes) */
    volumes: VolumeSpec[];
    /** plan.edge.caddyJson, uploaded by the container spec; exported for review */
    caddyJson: string;
    /** the edge host's docker provider */
    dockerProvider: docker.Provider;
    /** where the build context is resolved (default: the working directory, the Pulumi project root) */
    projectRoot?: string;
}

/** The image the container runs, by id, so a rebuild or new pull replaces the container. */
function edgeImage(name: string, args: CaddyL4EdgeArgs, opts: pulumi.CustomResourceOptions): pulumi.Output<string> {
    const plan = args.image;
    if (plan.kind === "prebuilt") return pulledImage(`${name}-image`, plan.name, opts).imageId;
    // Both paths in the plan are relative to the project root (as for `docker build -f caddy/Dockerfile caddy`).
    const root = args.projectRoot ?? process.cwd();
    const context = path.resolve(root, plan.context);
    const image = new docker.Image(
        `${name}-image`,
        {
            imageName: plan.name,
            build: { context, dockerfile: path.resolve(root, plan.dockerfile), args: plan.args },
            // Built by the edge host's daemon and used there; there is no registry in this design.
            skipPush: true,
        },
        opts,
    );
    // For an image that is never pushed, repoDigest is the local image id.
    return image.repoDigest;
}

export class CaddyL4Edge extends pulumi.ComponentResource {
    declare public readonly caddyJson: pulumi.Output<string>;
    declare public readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: CaddyL4EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:edge:CaddyL4Edge", name, {}, opts);
        const onHost = { parent: this, provider: args.dockerProvider };

        const mapped = containerArgs(args.container, {});
        const volumes = namedVolumes(name, volumesOf(args.container, args.volumes), onHost);
        const image = edgeImage(name, args, onHost);
        const container = new docker.Container(
            `${name}-container`,
            { ...mapped, image },
            // Fixed name and fixed host ports: the old container must release both first.
            { ...onHost, dependsOn: volumes, deleteBeforeReplace: true },
        );

        this.caddyJson = pulumi.output(args.caddyJson);
        this.containerName = container.name;
        this.registerOutputs({ caddyJson: this.caddyJson, containerName: this.containerName });
    }
}
