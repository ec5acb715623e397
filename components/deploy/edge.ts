/**
 * The public edge: Caddy + caddy-l4 on the edge host, the only container that publishes ports. It
 * passes mail TCP to the mailbox over the tailnet with a PROXY header (caddy.json). The image is
 * either built from caddy/ by the edge host's daemon (no registry push) or a given prebuilt one.
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { EdgeImagePlan } from "../plan";
import type { ContainerSpec, VolumeSpec } from "../plan/spec";
import { plannedContainer } from "./plannedContainer";

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
    /** where the build context is resolved (default: tailwart's own directory, which holds caddy/) */
    projectRoot?: string;
}

export class CaddyL4Edge extends pulumi.ComponentResource {
    declare public readonly caddyJson: pulumi.Output<string>;
    declare public readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: CaddyL4EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:edge:CaddyL4Edge", name, {}, opts);
        const { container } = plannedContainer(this, name, {
            container: args.container,
            volumes: args.volumes,
            dockerProvider: args.dockerProvider,
            image: args.image,
            projectRoot: args.projectRoot,
        });
        this.caddyJson = pulumi.output(args.caddyJson);
        this.containerName = container.name;
        this.registerOutputs({ caddyJson: this.caddyJson, containerName: this.containerName });
    }
}
