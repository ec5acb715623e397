/**
 * Named docker volumes from the plan's VolumeSpecs. A volume the plan marks `retain` is kept by
 * `pulumi destroy` (retainOnDelete): mail data survives unless the stack sets allowDataLoss.
 */
import * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import type { ContainerSpec, VolumeSpec } from "../plan/spec";
import { labelsOf } from "./container";

/** The VolumeSpecs a container mounts; a mount of an undeclared volume would be created implicitly and never managed. */
export function volumesOf(container: ContainerSpec, declared: VolumeSpec[]): VolumeSpec[] {
    return container.mounts.map((m) => {
        const spec = declared.find((v) => v.name === m.volume);
        if (!spec) {
            const known = declared.map((v) => v.name).join(", ") || "none";
            throw new Error(
                `container ${container.name} mounts volume "${m.volume}", which the plan does not declare (declared: ${known})`,
            );
        }
        if (spec.host !== container.host) {
            throw new Error(
                `container ${container.name} on the ${container.host} host mounts volume "${m.volume}", which the plan puts on the ${spec.host} host`,
            );
        }
        return spec;
    });
}

/** One docker.Volume per spec, named exactly as the plan says, child of `opts.parent`. */
export function namedVolumes(owner: string, specs: VolumeSpec[], opts: pulumi.CustomResourceOptions): docker.Volume[] {
    return specs.map(
        (v) =>
            new docker.Volume(
                `${owner}-${v.name}`,
                { name: v.name, ...(v.labels ? { labels: labelsOf(v.labels) } : {}) },
                { ...opts, retainOnDelete: v.retain },
            ),
    );
}
