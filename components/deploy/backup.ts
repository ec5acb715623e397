/**
 * The backup job: a PlannedContainer on the mailbox host (its volume retained as the plan says, its
 * image built or pulled there) in the sidecar's network namespace, and for a bucket target the
 * Garage bucket with a key of its own. Secrets reach it only as secret env from the resources that
 * own them; the backups themselves stay on the host or in Garage, never in the Pulumi state.
 */
import type * as docker from "@pulumi/docker";
import type * as pulumi from "@pulumi/pulumi";
import { GarageBucket } from "../backends/garage/bucket";
import type { PostgresDatabase } from "../backends/postgres";
import type { BackupPlan, Plan } from "../plan";
import type { SecretValues } from "./container";
import { PlannedContainer } from "./plannedContainer";
import type { TailscaleSidecar } from "./sidecar";
import type { StalwartMailbox } from "./stalwart";

export interface BackupJobArgs {
    plan: Plan;
    backup: BackupPlan;
    /** the mailbox host's docker provider */
    dockerProvider: docker.Provider;
    /** the job joins the sidecar's network namespace by id, as Stalwart does */
    sidecar: TailscaleSidecar;
    /** what must run first: Stalwart, so the store exists before the first export */
    mailbox: StalwartMailbox;
    /** the role's password: pg_dump, psql and the export log in as Stalwart */
    postgres: PostgresDatabase;
    /** Stalwart's S3 key: the export reads the blobs */
    garage: GarageBucket;
}

export interface BackupJob {
    container: PlannedContainer;
    /** the backup bucket, for a bucket target */
    bucket?: GarageBucket;
}

/** Creates the job as children of `parent` (the deployment), named `<name>-backup…`. */
export function backupJob(parent: pulumi.ComponentResource, name: string, args: BackupJobArgs): BackupJob {
    const { plan, backup } = args;
    const target = backup.target;
    const bucket =
        target.kind === "bucket"
            ? new GarageBucket(
                  `${name}-backup-bucket`,
                  {
                      adminEndpoint: plan.backends.garage.adminEndpoint,
                      bucket: target.bucket,
                      keyName: target.keyName,
                      retainOnDelete: plan.retainData,
                  },
                  { parent },
              )
            : undefined;
    const secrets: SecretValues = {
        postgresPassword: args.postgres.password,
        garageAccessKeyId: args.garage.accessKeyId,
        garageSecretAccessKey: args.garage.secretAccessKey,
        ...(bucket ? { backupAccessKeyId: bucket.accessKeyId, backupSecretAccessKey: bucket.secretAccessKey } : {}),
    };
    const container = new PlannedContainer(
        `${name}-backup`,
        {
            container: backup.container,
            // a volume target is among the mailbox host's volumes
            volumes: plan.mailbox.volumes,
            secrets,
            dockerProvider: args.dockerProvider,
            image: backup.image,
            netnsOwnerId: args.sidecar.containerId,
            startAfter: [args.mailbox, ...(bucket ? [bucket] : [])],
        },
        { parent },
    );
    return { container, ...(bucket ? { bucket } : {}) };
}
