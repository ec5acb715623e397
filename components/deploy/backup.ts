/**
 * The backup job: a PlannedContainer on the mailbox host (its volume retained as the plan says, its
 * image built or pulled there) in the sidecar's network namespace, and for a bucket target the
 * Garage bucket with a key of its own. Secrets reach it only as secret env from the resources that
 * own them; the backups themselves stay on the host or in Garage, never in the Pulumi state.
 */
import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import { GarageBucket } from "../backends/garage/bucket";
import type { BackupPlan } from "../plan";
import type { VolumeSpec } from "../plan/spec";
import type { SecretValues } from "./container";
import { PlannedContainer } from "./plannedContainer";

export interface BackupJobArgs {
    backup: BackupPlan;
    /** the mailbox host's volumes (plan.mailbox.volumes); a volume target is among them */
    volumes: VolumeSpec[];
    dockerProvider: docker.Provider;
    /** the job joins the sidecar's network namespace by id, as Stalwart does */
    sidecarContainerId: pulumi.Input<string>;
    /** the role's password and Stalwart's S3 key: the export opens the same stores */
    secrets: { postgresPassword: pulumi.Input<string>; garageAccessKeyId: pulumi.Input<string>; garageSecretAccessKey: pulumi.Input<string> };
    /** Garage's admin API, for a bucket target */
    garageAdminEndpoint: string;
    /** keep a backup bucket on destroy (false only with allowDataLoss) */
    retainData: boolean;
    /** what must run first: Stalwart, so the store exists before the first export */
    startAfter: pulumi.Resource[];
}

export interface BackupJob {
    container: PlannedContainer;
    /** the backup bucket, for a bucket target */
    bucket?: GarageBucket;
}

/** Creates the job as children of `parent` (the deployment), named `<name>-backup…`. */
export function backupJob(parent: pulumi.ComponentResource, name: string, args: BackupJobArgs): BackupJob {
    const target = args.backup.target;
    const bucket =
        target.kind === "bucket"
            ? new GarageBucket(`${name}-backup-bucket`, { adminEndpoint: args.garageAdminEndpoint, bucket: target.bucket, keyName: target.keyName, retainOnDelete: args.retainData }, { parent })
            : undefined;
    const secrets: SecretValues = {
        ...args.secrets,
        ...(bucket ? { backupAccessKeyId: bucket.accessKeyId, backupSecretAccessKey: bucket.secretAccessKey } : {}),
    };
    const container = new PlannedContainer(
        `${name}-backup`,
        {
            container: args.backup.container,
            volumes: args.volumes,
            secrets,
            dockerProvider: args.dockerProvider,
            image: args.backup.image,
            netnsOwnerId: args.sidecarContainerId,
            startAfter: [...args.startAfter, ...(bucket ? [bucket] : [])],
        },
        { parent },
    );
    return { container, ...(bucket ? { bucket } : {}) };
}
