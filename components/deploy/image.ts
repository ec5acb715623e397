/**
 * Images on a given host. A container references the image by id, so a new image (a re-pulled
 * tag, a rebuilt edge) replaces the container instead of leaving it on the old one.
 */
import * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";

/** Pulls `ref` with the host's provider; kept on destroy because other containers may share it. */
export function pulledImage(name: string, ref: string, opts: pulumi.CustomResourceOptions): docker.RemoteImage {
    return new docker.RemoteImage(name, { name: ref, keepLocally: true }, opts);
}
