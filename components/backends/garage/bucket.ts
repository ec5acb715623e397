import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { shipProvider } from "../../bundledProvider";
import type { BucketPermissions } from "./inputRules";

/** Arguments of {@link GarageBucket}. */
export interface GarageBucketArgs {
    /** Garage admin API v2 base URL with an explicit port, e.g. http://garage.tailnet.ts.net:3903. */
    adminEndpoint: pulumi.Input<string>;
    /** The bucket's global alias (S3 bucket name). */
    bucket: pulumi.Input<string>;
    /** Name of the access key granted on the bucket. */
    keyName: pulumi.Input<string>;
    /** The key's rights on the bucket; default read + write, not owner. */
    permissions?: Partial<BucketPermissions>;
    /** Keep the bucket, key and data when this resource is deleted or replaced. Default true. */
    retainOnDelete?: boolean;
}

export const DEFAULT_BUCKET_PERMISSIONS: BucketPermissions = { read: true, write: true, owner: false };

/** What GarageBucket ships: the bundled shell around the provider core provider.ts (bucketGrantProvider). */
export const shippedBucketGrantProvider = (): pulumi.dynamic.ResourceProvider =>
    shipProvider(join(__dirname, "provider"), "bucketGrantProvider");

/** The resource the provider manages: bucket + key + grant. */
class BucketGrant extends pulumi.dynamic.Resource {
    declare public readonly bucketId: pulumi.Output<string>;
    declare public readonly accessKeyId: pulumi.Output<string>;
    declare public readonly secretAccessKey: pulumi.Output<string>;
    declare public readonly bucket: pulumi.Output<string>;

    constructor(name: string, args: Record<string, pulumi.Input<unknown>>, opts: pulumi.CustomResourceOptions) {
        const outputs = {
            bucketId: undefined,
            accessKeyId: undefined,
            secretAccessKey: undefined,
            adoptedBucket: undefined,
            adoptedKey: undefined,
        };
        super(shippedBucketGrantProvider(), name, { ...args, ...outputs }, opts, "garage", "BucketGrant");
    }
}

/** A Garage bucket with one access key allowed on it, managed through the admin API. */
export class GarageBucket extends pulumi.ComponentResource {
    /** Garage's id of the bucket */
    declare public readonly bucketId: pulumi.Output<string>;
    /** the access key's id (`GK…`), Stalwart's S3 access key */
    declare public readonly accessKeyId: pulumi.Output<string>;
    /** the access key's secret (a Pulumi secret) */
    declare public readonly secretAccessKey: pulumi.Output<string>;
    /** the bucket's global alias, as Garage reports it */
    declare public readonly bucket: pulumi.Output<string>;

    constructor(name: string, args: GarageBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:backends:GarageBucket", name, {}, opts);
        const grant = new BucketGrant(
            name,
            {
                adminEndpoint: args.adminEndpoint,
                bucket: args.bucket,
                keyName: args.keyName,
                permissions: { ...DEFAULT_BUCKET_PERMISSIONS, ...args.permissions },
            },
            {
                parent: this,
                additionalSecretOutputs: ["secretAccessKey"],
                retainOnDelete: args.retainOnDelete ?? true,
            },
        );
        this.bucketId = grant.bucketId;
        this.accessKeyId = grant.accessKeyId;
        this.secretAccessKey = pulumi.secret(grant.secretAccessKey);
        this.bucket = grant.bucket;
        this.registerOutputs({
            bucketId: this.bucketId,
            accessKeyId: this.accessKeyId,
            secretAccessKey: this.secretAccessKey,
            bucket: this.bucket,
        });
    }
}
