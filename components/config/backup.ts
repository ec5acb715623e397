/**
 * The `backup` key: its rules (a schedule that parses and fires, a target that is exactly one
 * volume or one bucket and never the mail's own, names that do not clash with the mailbox host's
 * other containers and volumes, a pinned image), each issue naming the key and what to write; and
 * the checked value as Settings carries it.
 */
import { sameDockerHost } from "./dockerHost";
import { pinnedImage } from "./images";
import { type ConfigIssue, issue, none, type Rule } from "./issue";
import { shown } from "./mask";
import type { RawSettings } from "./schema";
import { type BackupSchedule, parseSchedule } from "./schedule";
import { DOCKER_NAME } from "./validators";

/** The backup key as Settings carries it, once the rules have passed. */
export interface BackupSettings {
    schedule: BackupSchedule;
    retention: number;
    target: { kind: "volume"; volume: string } | { kind: "bucket"; bucket: string; keyName: string };
    containerName: string;
    /** a prebuilt image; undefined: built from backup/ on the mailbox host */
    image?: string;
}

type Backup = NonNullable<RawSettings["backup"]>;
type Target = NonNullable<Backup["target"]>;

/** A rule that runs only when the stack has a backup key. */
const backupRule = (needs: string[], check: (b: Backup, s: RawSettings) => ConfigIssue[]): Rule => ({
    needs,
    check: (s) => (s.backup ? check(s.backup, s) : none),
});

export const TARGET_FORMS =
    "write { volume: <docker volume> } or { bucket: <Garage bucket> }, e.g. `pulumi config set --path tailwart:backup.target.volume stalwart-backups`";

/** S3 bucket names as Garage takes them: 3-63 lower-case letters, digits, dots and dashes, not an IP address. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The default key of a backup bucket: its own, so Stalwart's key can never delete a backup. */
export function defaultBackupKeyName(garageKeyName: string): string {
    return `${garageKeyName}-backup`;
}

function targetShape(t: Target | undefined): ConfigIssue[] {
    if (t === undefined)
        return issue("backup.target", `backup.target is required: where the backups go; ${TARGET_FORMS}`);
    if (t.volume !== undefined && t.bucket !== undefined) {
        return issue("backup.target", `backup.target names both a volume and a bucket; keep one: ${TARGET_FORMS}`);
    }
    if (t.volume === undefined && t.bucket === undefined)
        return issue("backup.target", `backup.target names neither a volume nor a bucket; ${TARGET_FORMS}`);
    if (t.volume !== undefined && t.keyName !== undefined) {
        return issue(
            "backup.target.keyName",
            "backup.target.keyName is the access key of a bucket target; remove it (a volume needs no key) or use backup.target.bucket",
        );
    }
    return none;
}

function volumeTarget(volume: string, s: RawSettings): ConfigIssue[] {
    const path = "backup.target.volume";
    if (!DOCKER_NAME.test(volume)) {
        return issue(
            path,
            `${path} ${shown(volume)} is not a valid docker volume name; use letters, digits, "_", "." or "-", starting with a letter or digit, e.g. stalwart-backups`,
        );
    }
    if (volume === s.mailbox.dataVolume) {
        return issue(
            path,
            `${path} ${shown(volume)} is the mail's own volume (mailbox.dataVolume): a backup there is lost with the mail; name a volume of its own, e.g. stalwart-backups`,
        );
    }
    const taken: [string, string][] = [
        ["mailbox.configVolume", s.mailbox.configVolume],
        ["mailbox.stateVolume", s.mailbox.stateVolume],
        ...(sameDockerHost(s.edge.dockerHost, s.mailbox.dockerHost)
            ? [["edge.dataVolume", s.edge.dataVolume] as [string, string]]
            : []),
    ];
    const clash = taken.find(([, name]) => name === volume);
    return clash
        ? issue(
              path,
              `${path} ${shown(volume)} is also ${clash[0]}; give the backups a volume of their own, e.g. stalwart-backups`,
          )
        : none;
}

function bucketTarget(t: Target & { bucket: string }, s: RawSettings): ConfigIssue[] {
    const path = "backup.target.bucket";
    const out: ConfigIssue[] = [];
    if (!BUCKET_NAME.test(t.bucket) || /^\d+\.\d+\.\d+\.\d+$/.test(t.bucket) || t.bucket.includes("..")) {
        out.push({
            path,
            message: `${path} ${shown(t.bucket)} is not a bucket name; use 3-63 lower-case letters, digits, "." or "-", starting and ending with a letter or digit, e.g. stalwart-backups`,
        });
    } else if (t.bucket === s.garage.bucket) {
        out.push({
            path,
            message: `${path} ${shown(t.bucket)} is the mail's own bucket (garage.bucket): a backup there is lost with the mail; name a bucket of its own, e.g. stalwart-backups`,
        });
    }
    if (t.keyName !== undefined && t.keyName === s.garage.keyName) {
        out.push({
            path: "backup.target.keyName",
            message: `backup.target.keyName ${shown(t.keyName)} is Stalwart's key (garage.keyName); give the backups a key of their own, or leave it out for ${defaultBackupKeyName(s.garage.keyName)}`,
        });
    }
    return out;
}

function containerName(name: string, s: RawSettings): ConfigIssue[] {
    const path = "backup.containerName";
    if (!DOCKER_NAME.test(name)) {
        return issue(
            path,
            `${path} ${shown(name)} is not a valid docker container name; use letters, digits, "_", "." or "-", starting with a letter or digit, e.g. stalwart-backup`,
        );
    }
    const taken: [string, string][] = [
        ["the sidecar's container name (mailbox.tailscaleHostname)", s.mailbox.tailscaleHostname],
        ["stalwart.containerName", s.stalwart.containerName],
        ...(sameDockerHost(s.edge.dockerHost, s.mailbox.dockerHost)
            ? [["edge.containerName", s.edge.containerName] as [string, string]]
            : []),
    ];
    const clash = taken.find(([, other]) => other === name);
    return clash
        ? issue(
              path,
              `${path} ${shown(name)} is also ${clash[0]}; give each container on the host its own name, e.g. stalwart-backup`,
          )
        : none;
}

/** The rules of the backup key, run after rules.ts's RULES. */
export const BACKUP_RULES: Rule[] = [
    backupRule(["backup.schedule"], (b) => {
        const { problem } = parseSchedule(b.schedule);
        return problem ? issue("backup.schedule", `backup.schedule ${problem}`) : none;
    }),
    backupRule(["backup.target"], (b) => targetShape(b.target)),
    backupRule(
        [
            "backup.target",
            "mailbox.dataVolume",
            "mailbox.configVolume",
            "mailbox.stateVolume",
            "mailbox.dockerHost",
            "edge.dockerHost",
            "edge.dataVolume",
        ],
        (b, s) =>
            b.target?.volume !== undefined && b.target.bucket === undefined ? volumeTarget(b.target.volume, s) : none,
    ),
    backupRule(["backup.target", "garage.bucket", "garage.keyName"], (b, s) =>
        b.target?.bucket !== undefined && b.target.volume === undefined
            ? bucketTarget({ ...b.target, bucket: b.target.bucket }, s)
            : none,
    ),
    backupRule(
        [
            "backup.containerName",
            "mailbox.tailscaleHostname",
            "stalwart.containerName",
            "mailbox.dockerHost",
            "edge.dockerHost",
            "edge.containerName",
        ],
        (b, s) => containerName(b.containerName, s),
    ),
    backupRule(["backup.image"], (b) =>
        b.image === undefined
            ? none
            : pinnedImage("backup.image", b.image, "registry.example.com/stalwart-backup:v0.16.18-pg18.1"),
    ),
];

/** The checked backup key, resolved (BACKUP_RULES have passed, so the schedule parses and the target is one of two). */
export function resolveBackup(b: Backup | undefined, garageKeyName: string): BackupSettings | undefined {
    if (!b) return undefined;
    const { schedule } = parseSchedule(b.schedule);
    const t = b.target!;
    const target: BackupSettings["target"] =
        t.bucket !== undefined
            ? { kind: "bucket", bucket: t.bucket, keyName: t.keyName ?? defaultBackupKeyName(garageKeyName) }
            : { kind: "volume", volume: t.volume! };
    return {
        schedule: schedule!,
        retention: b.retention,
        target,
        containerName: b.containerName,
        ...(b.image !== undefined ? { image: b.image } : {}),
    };
}
