/**
 * What the mocked engine answers for each resource: its inputs plus the computed outputs the real
 * providers would return. Imports @pulumi/pulumi for types only, so a process whose SDK is another
 * copy (an example installed from the packed tarball) can use it too.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Extra outputs per resource, on top of its inputs (computed fields the assertions need). */
export type StateFn = (args: pulumi.runtime.MockResourceArgs) => Record<string, unknown> | undefined;

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export function isSecretValue(v: unknown): v is { value: unknown } {
    return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** A property as the engine receives it: its plain value and whether it arrived secret. */
export function unwrap<T = any>(v: unknown): { value: T; secret: boolean } {
    return isSecretValue(v) ? { value: v.value as T, secret: true } : { value: v as T, secret: false };
}

/** Computed outputs the real providers would return; enough for every component here. */
export const defaultState: StateFn = ({ type, name, inputs }) => {
    switch (type) {
        case "docker:index/container:Container":
            return { name: inputs.name };
        case "docker:index/volume:Volume":
            return { name: inputs.name ?? `${name}-volume` };
        case "docker:index/remoteImage:RemoteImage":
            return { imageId: `sha256:pulled-${inputs.name}`, repoDigest: `${inputs.name}@sha256:mock` };
        case "docker:index/image:Image":
            return { repoDigest: `sha256:built-${inputs.imageName}`, imageName: inputs.imageName };
        case "tailscale:index/tailnetKey:TailnetKey":
            return { key: `tskey-auth-${name}-mock` };
        case "random:index/randomPassword:RandomPassword":
            return { result: `generated-password-${name}` };
        case "pulumi-nodejs:dynamic/garage:BucketGrant":
            // what the Garage admin API would answer on create
            return {
                bucketId: `bucket-id-${inputs.bucket}`,
                accessKeyId: `GK-${inputs.keyName}`,
                secretAccessKey: `garage-secret-${inputs.keyName}`,
            };
        case "pulumi-nodejs:dynamic/stalwart:Convergence":
            return {
                reloads: ["ReloadSettings"],
                restarted: true,
                pendingRestart: [],
                verified: (inputs.objects ?? []).length,
                directoryBinding: "",
            };
        default:
            // every x:* object: what the generic provider answers after its create-and-get
            if (type.startsWith("pulumi-nodejs:dynamic/stalwart:")) {
                return {
                    objectId: `id-${name}`,
                    properties: unwrap(inputs.properties).value,
                    contentHash: `hash-${name}`,
                    changedProperties: [],
                    adopted: false,
                };
            }
            return undefined;
    }
};
