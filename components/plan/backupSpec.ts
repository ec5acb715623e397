/**
 * The backup job's container on the mailbox host. It joins the sidecar's network namespace, like
 * Stalwart: it reaches Postgres and Garage over the tailnet with the grants Stalwart already has,
 * and its connections come from Stalwart's own address (so one-instance checks see one Stalwart).
 * It gets the same config.json and the same secret env Stalwart opens its stores with, its scripts
 * as uploaded files, and the target volume when the backups go to a volume; it publishes nothing.
 */
import type { BackupSettings } from "../config";
import { STALWART_ENV } from "../topology";
import { type BackupScriptInput, type BackupTargetInput, renderBackupScript, targetDescription } from "./backupScript";
import { STALWART_CONFIG_PATH } from "./mailboxSpec";
import { renderRestoreScript } from "./restoreScript";
import { type ContainerSpec, type EnvValue, secretRef } from "./spec";

/** Where things are in the backup container. */
export const BACKUP_PATHS = {
    backupScript: "/usr/local/lib/tailwart/backup.sh",
    restoreScript: "/usr/local/lib/tailwart/restore.sh",
    /** the target volume's mount point */
    backupDir: "/backups",
    /** lock, scratch space for a bucket target, the last attempt */
    stateDir: "/var/lib/tailwart-backup",
    stalwartConfig: STALWART_CONFIG_PATH,
} as const;

export interface BackupSpecInput {
    stack: string;
    backup: BackupSettings;
    /** the image the job runs (built or prebuilt) */
    image: string;
    /** the sidecar's container name: the job joins its network namespace */
    sidecarContainer: string;
    stalwartContainer: string;
    /** the rendered config.json Stalwart runs with */
    configJson: string;
    postgres: BackupScriptInput["postgres"];
    garage: { s3Endpoint: string; region: string };
}

/** The target as the scripts see it: a mounted directory, or a bucket on Garage's S3 endpoint. */
export function backupTargetInput(b: BackupSettings, garage: BackupSpecInput["garage"]): BackupTargetInput {
    return b.target.kind === "volume"
        ? { kind: "volume", volume: b.target.volume, dir: BACKUP_PATHS.backupDir }
        : {
              kind: "bucket",
              bucket: b.target.bucket,
              keyName: b.target.keyName,
              s3Endpoint: garage.s3Endpoint,
              region: garage.region,
          };
}

export function backupScriptInput(i: BackupSpecInput): BackupScriptInput {
    return {
        stack: i.stack,
        schedule: i.backup.schedule,
        retention: i.backup.retention,
        target: backupTargetInput(i.backup, i.garage),
        postgres: i.postgres,
        stateDir: BACKUP_PATHS.stateDir,
        stalwartConfig: BACKUP_PATHS.stalwartConfig,
        stalwartContainer: i.stalwartContainer,
        backupContainer: i.backup.containerName,
    };
}

/** The secrets the job needs, as env: the role's password, Stalwart's S3 key (the export reads blobs), a bucket target's key. */
function backupEnv(b: BackupSettings): Record<string, EnvValue> {
    return {
        [STALWART_ENV.dbPassword]: secretRef("postgresPassword"),
        [STALWART_ENV.s3AccessKey]: secretRef("garageAccessKeyId"),
        [STALWART_ENV.s3SecretKey]: secretRef("garageSecretAccessKey"),
        ...(b.target.kind === "bucket"
            ? {
                  RCLONE_CONFIG_BACKUP_ACCESS_KEY_ID: secretRef("backupAccessKeyId"),
                  RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY: secretRef("backupSecretAccessKey"),
              }
            : {}),
    };
}

export function backupSpec(i: BackupSpecInput): ContainerSpec {
    const b = i.backup;
    const scripts = backupScriptInput(i);
    return {
        host: "mailbox",
        name: b.containerName,
        image: i.image,
        command: ["/bin/sh", BACKUP_PATHS.backupScript, "schedule"],
        env: backupEnv(b),
        // Docker rejects ports, hostname and DNS on a container that joins another's netns.
        networkMode: `container:${i.sidecarContainer}`,
        ports: [],
        mounts: b.target.kind === "volume" ? [{ volume: b.target.volume, containerPath: BACKUP_PATHS.backupDir }] : [],
        files: [
            // the very file Stalwart runs with: --export opens the same data store
            { containerPath: BACKUP_PATHS.stalwartConfig, content: i.configJson, mode: 0o444 },
            { containerPath: BACKUP_PATHS.backupScript, content: renderBackupScript(scripts), mode: 0o555 },
            { containerPath: BACKUP_PATHS.restoreScript, content: renderRestoreScript(scripts), mode: 0o555 },
        ],
        capabilities: [],
        devices: [],
        restart: "unless-stopped",
        labels: {
            "tailwart.role": "backup",
            "tailwart.backup.schedule": b.schedule.text,
            "tailwart.backup.retention": String(b.retention),
            "tailwart.backup.target": targetDescription(scripts.target),
        },
    };
}
