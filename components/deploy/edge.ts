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

/** Arguments of {@link CaddyL4Edge}. */
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

/**
 * Caddy with caddy-l4 on the edge host: the only container that publishes ports, passing each mail
 * port's TCP to the mailbox over the tailnet with a PROXY header. Its image is built from the
 * package's caddy/ on the edge host, or a given prebuilt one is pulled.
 */
export class CaddyL4Edge extends pulumi.ComponentResource {
    /** the rendered caddy.json the container runs */
    declare public readonly caddyJson: pulumi.Output<string>;
    /** the docker container's name */
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
