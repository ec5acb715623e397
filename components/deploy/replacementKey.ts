/**
 * Everything that replaces a container, as one key a resource can carry so that it is replaced with
 * the container (the one-instance gate, decision 014). Docker cannot change a container in place:
 * nearly every docker.Container argument forces a new one, and they all come from the plan's spec,
 * the secrets its env names, the image id and the id of the container whose netns it joins.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { type ContainerSpec, isSecretRef } from "../plan/spec";
import type { SecretValues } from "./container";

/** Everything that replaces a container, as one key a resource (the one-instance gate) carries to be replaced with it. */
export interface ReplacementKey {
    /** the image id the container runs (a re-pull or rebuild is a new id) */
    image: pulumi.Input<string>;
    /** the netns owner's container id, when the container joins one */
    netns?: pulumi.Input<string>;
    /** SHA-256 of the spec: env (secrets by name), files, mounts, labels, health check, restart … */
    spec: string;
    /** SHA-256 of the secret values the env names; a Pulumi secret itself */
    secrets: pulumi.Output<string>;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** JSON with sorted keys, so a spec that only reorders its objects keeps its digest. */
function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (typeof v === "object" && v !== null) {
        return `{${Object.keys(v)
            .sort()
            .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
            .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(v ?? null);
}

/**
 * The key of a container made from `spec`. Its secrets' digest is computed from the values (so a
 * rotated password replaces the container) and stays a Pulumi secret: a digest of a weak secret
 * could be guessed back, so it is never stored in clear (and Pulumi then keeps the whole key that
 * holds it secret). Call it after containerArgs, which refuses a SecretRef nobody supplied.
 */
export function replacementKey(
    spec: ContainerSpec,
    secrets: SecretValues,
    image: pulumi.Input<string>,
    netns?: pulumi.Input<string>,
): ReplacementKey {
    const named = Object.keys(spec.env)
        .sort()
        .flatMap((env) => {
            const value = spec.env[env]!;
            return isSecretRef(value) ? [pulumi.output(secrets[value.secret]!).apply((v) => [env, v] as const)] : [];
        });
    const digest = pulumi.all(named).apply((pairs) => sha256(canonical(pairs)));
    return {
        image,
        ...(netns !== undefined ? { netns } : {}),
        spec: sha256(canonical(spec)),
        secrets: pulumi.secret(digest),
    };
}
