/**
 * The backup job's script, rendered from the checked backup settings: a header of shell variables
 * (schedule as expanded value sets, retention, target, where Postgres is; never a secret, those
 * arrive as the container's env) and a fixed body. `backup.sh schedule` is the container's command;
 * `run` makes one backup now, `due [<epoch>]` says whether the schedule fires then, `list` lists the
 * sets. A run takes the lock, dumps the database with pg_dump, exports the store with
 * `stalwart --export` (read-only), writes MANIFEST last, stores the set, records the success in the
 * target and as the database's comment, then keeps the newest `retention` sets.
 */
import type { BackupSchedule } from "../config/schedule";
import { STALWART_ENV } from "../topology";
import { BUCKET_TARGET_SH, COMMON_SH, VOLUME_TARGET_SH } from "./backupShell";

export type BackupTargetInput =
    | { kind: "volume"; volume: string; /** where the volume is mounted in the container */ dir: string }
    | { kind: "bucket"; bucket: string; keyName: string; s3Endpoint: string; region: string };

export interface BackupScriptInput {
    stack: string;
    schedule: BackupSchedule;
    retention: number;
    target: BackupTargetInput;
    postgres: { host: string; port: number; database: string; role: string; sslmode: string };
    /** the job's own scratch and lock directory (in the container) */
    stateDir: string;
    /** Stalwart's config.json in the container: the same data store Stalwart opens */
    stalwartConfig: string;
    /** container names, for the messages that tell an operator what to run */
    stalwartContainer: string;
    backupContainer: string;
}

/** After a failed interval run, the next attempt waits this long (or the interval, if shorter). */
export const RETRY_SECONDS = 3600;

/** A value as one single-quoted shell word. */
export function shellQuote(value: string | number): string {
    return `'${String(value).replace(/'/g, `'\\''`)}'`;
}

/** "volume:stalwart-backups" or "bucket:stalwart-backups": one word, as the status line carries it. */
export function targetDescription(t: BackupTargetInput): string {
    return t.kind === "volume" ? `volume:${t.volume}` : `bucket:${t.bucket}`;
}

const set = (values: number[]) => ` ${values.join(" ")} `;

function scheduleVariables(s: BackupSchedule): Record<string, string | number> {
    if (s.kind === "interval") {
        return {
            SCHEDULE_KIND: "interval",
            INTERVAL_SECONDS: s.seconds,
            RETRY_SECONDS: Math.min(s.seconds, RETRY_SECONDS),
        };
    }
    return {
        SCHEDULE_KIND: "cron",
        CRON_MINUTES: set(s.minutes),
        CRON_HOURS: set(s.hours),
        CRON_DAYS: set(s.days),
        CRON_MONTHS: set(s.months),
        CRON_WEEKDAYS: set(s.weekdays),
        // Vixie cron: either day field starting with * means both must match, else either may
        CRON_DAY_RULE: s.daysStar || s.weekdaysStar ? "and" : "or",
    };
}

function targetVariables(t: BackupTargetInput): Record<string, string> {
    if (t.kind === "volume") return { TARGET_KIND: "volume", BACKUP_DIR: t.dir };
    return {
        TARGET_KIND: "bucket",
        RCLONE_REMOTE: `backup:${t.bucket}`,
        // the remote "backup" as rclone reads it from env; its keys are the container's secret env
        RCLONE_CONFIG_BACKUP_TYPE: "s3",
        RCLONE_CONFIG_BACKUP_PROVIDER: "Other",
        RCLONE_CONFIG_BACKUP_ENDPOINT: t.s3Endpoint,
        RCLONE_CONFIG_BACKUP_REGION: t.region,
        RCLONE_CONFIG_BACKUP_FORCE_PATH_STYLE: "true",
        RCLONE_CONFIG_BACKUP_NO_CHECK_BUCKET: "true",
        RCLONE_CONFIG_BACKUP_ENV_AUTH: "false",
    };
}

/** The variables both scripts start with; exported ones are read by pg_dump, psql, pg_restore and rclone. */
export function renderHeader(i: BackupScriptInput, title: string): string {
    const plain: Record<string, string | number> = {
        SCHEDULE_TEXT: i.schedule.text,
        ...scheduleVariables(i.schedule),
        RETENTION: i.retention,
        TARGET_DESC: targetDescription(i.target),
        STATE_DIR: i.stateDir,
        STALWART_CONFIG: i.stalwartConfig,
        STALWART_CONTAINER: i.stalwartContainer,
        BACKUP_CONTAINER: i.backupContainer,
        DB_PASSWORD_ENV: STALWART_ENV.dbPassword,
    };
    const target = targetVariables(i.target);
    const exported: Record<string, string | number> = {
        PGHOST: i.postgres.host,
        PGPORT: i.postgres.port,
        PGUSER: i.postgres.role,
        PGDATABASE: i.postgres.database,
        PGSSLMODE: i.postgres.sslmode,
        PGCONNECT_TIMEOUT: 15,
        // pg_stat_activity tells the job's sessions from Stalwart's (they share its address)
        PGAPPNAME: "tailwart-backup",
        ...Object.fromEntries(Object.entries(target).filter(([k]) => k.startsWith("RCLONE_CONFIG_"))),
    };
    const own = Object.entries(target).filter(([k]) => !k.startsWith("RCLONE_CONFIG_"));
    const line = ([k, v]: [string, string | number]) => `${k}=${shellQuote(v)}`;
    return [
        "#!/bin/sh",
        `# ${title} for stack ${i.stack}, rendered by tailwart (components/plan/backupScript.ts); pulumi up replaces it.`,
        `# Secrets are not in this file: they are the container's env (${STALWART_ENV.dbPassword}, ${STALWART_ENV.s3AccessKey}, ${STALWART_ENV.s3SecretKey}, RCLONE_CONFIG_BACKUP_*_KEY*).`,
        "umask 077",
        ...[...Object.entries(plain), ...own].map(line),
        ...Object.entries(exported).map((e) => `export ${line(e)}`),
        // the role's password: the same env variable config.json names for Stalwart
        `export PGPASSWORD="$${STALWART_ENV.dbPassword}"`,
        "",
    ].join("\n");
}

const BACKUP_MAIN_SH = String.raw`
in_set() { case "$1" in *" $2 "*) return 0 ;; esac; return 1; }

# Does the schedule fire in the minute of epoch $1 (UTC)?
cron_due() {
    set -- $(date -u -d "@$1" '+%M %H %d %m %w')
    minute=$((1$1 - 100)) hour=$((1$2 - 100)) day=$((1$3 - 100)) month=$((1$4 - 100))
    in_set "$CRON_MINUTES" "$minute" && in_set "$CRON_HOURS" "$hour" && in_set "$CRON_MONTHS" "$month" || return 1
    if [ "$CRON_DAY_RULE" = or ]; then
        in_set "$CRON_DAYS" "$day" || in_set "$CRON_WEEKDAYS" "$5"
    else
        in_set "$CRON_DAYS" "$day" && in_set "$CRON_WEEKDAYS" "$5"
    fi
}

last_success_epoch() {
    when=$(sed -n 's/.*last-success=\([^ ]*\).*/\1/p' "$STATE_DIR/last-success" 2>/dev/null | head -n 1)
    [ -n "$when" ] && date -u -d "$when" +%s 2>/dev/null || echo 0
}

# An interval is due once the last success is that old, and a failed attempt waits RETRY_SECONDS.
interval_due() {
    attempt=$(cat "$STATE_DIR/last-attempt" 2>/dev/null || echo 0)
    [ $(($1 - $(last_success_epoch))) -ge "$INTERVAL_SECONDS" ] && [ $(($1 - attempt)) -ge "$RETRY_SECONDS" ]
}

is_due() {
    if [ "$SCHEDULE_KIND" = cron ]; then cron_due "$1"; else interval_due "$1"; fi
}

write_manifest() {
    printf 'set=%s\nstarted=%s\nfinished=%s\ndatabase=%s\n' "$1" "$2" "$(now_iso)" "$PGDATABASE"
    printf 'postgres.dump.sha256=%s\n' "$(sha256sum "$3/postgres.dump" | cut -d ' ' -f 1)"
    printf 'postgres.dump.bytes=%s\n' "$(wc -c <"$3/postgres.dump" | tr -d ' ')"
    printf 'export.files=%s\n' "$(find "$3/export" -type f | wc -l | tr -d ' ')"
    printf 'export.kib=%s\n' "$(du -sk "$3/export" | cut -f 1)"
    printf 'stalwart=%s\n' "$(stalwart --version 2>/dev/null | head -n 1)"
}

# Keeps the newest RETENTION complete sets; runs only after a success, so failures never prune.
prune() {
    sets=$(target_sets) || { log "could not list $TARGET_DESC to prune it"; return 1; }
    count=$(printf '%s\n' "$sets" | grep -c .)
    excess=$((count - RETENTION))
    [ "$excess" -gt 0 ] || return 0
    for old in $(printf '%s\n' "$sets" | grep . | head -n "$excess"); do
        log "removing $old (keeping the newest $RETENTION)"
        target_delete "$old" || { log "could not remove $old from $TARGET_DESC"; return 1; }
    done
}

backup_steps() {
    name=$1 staging=$2 started=$3
    target_clean || { log "could not clear unfinished sets from $TARGET_DESC"; return 1; }
    mkdir -p "$staging" || return 1
    log "$name: pg_dump of $PGDATABASE on $PGHOST:$PGPORT"
    pg_dump --format=custom --file="$staging/postgres.dump" || { log "$name: pg_dump failed (exit $?)"; return 1; }
    log "$name: stalwart --export (read-only)"
    stalwart --config "$STALWART_CONFIG" --export "$staging/export" || { log "$name: stalwart --export failed (exit $?)"; return 1; }
    if [ -z "$(ls -A "$staging/export" 2>/dev/null)" ]; then
        log "$name: stalwart --export wrote nothing"
        return 1
    fi
    write_manifest "$name" "$started" "$staging" >"$staging/MANIFEST.new" && mv "$staging/MANIFEST.new" "$staging/MANIFEST" || return 1
    target_store "$staging" "$name" || { log "$name: could not store the set in $TARGET_DESC"; return 1; }
    line=$(status_line "$(now_iso)" "$name")
    printf '%s\n' "$line" | target_put_marker || { log "$name: could not write last-success in $TARGET_DESC"; return 1; }
    printf '%s\n' "$line" >"$STATE_DIR/last-success"
    record_in_postgres "$line" || { log "$name: stored, but the success could not be recorded in Postgres (the doctor reads it there)"; return 1; }
    log "$name: stored in $TARGET_DESC"
    prune
}

run_backup() {
    check_env || return 1
    lock || return 1
    name="stalwart-$(date -u +%Y%m%dT%H%M%SZ)"
    staging=$(target_staging "$name")
    backup_steps "$name" "$staging" "$(now_iso)"
    status=$?
    [ "$status" -eq 0 ] || { rm -rf "$staging"; log "$name: FAILED; the previous sets are kept"; }
    unlock
    return "$status"
}

schedule() {
    mkdir -p "$STATE_DIR" || exit 1
    # a lock left by a container that stopped mid-run: nothing else runs yet
    unlock
    target_get_marker >"$STATE_DIR/last-success" || rm -f "$STATE_DIR/last-success"
    trap 'log "stopping"; exit 0' TERM INT
    log "started: schedule $SCHEDULE_TEXT (UTC), keeping $RETENTION, into $TARGET_DESC"
    while :; do
        now=$(date -u +%s)
        if is_due "$now"; then
            echo "$now" >"$STATE_DIR/last-attempt"
            run_backup
        fi
        now=$(date -u +%s)
        sleep $((60 - now % 60)) &
        wait $!
    done
}

case "$1" in
schedule) schedule ;;
run) run_backup ;;
due)
    at=$2
    [ -n "$at" ] || at=$(date -u +%s)
    if is_due "$at"; then echo "due"; else echo "not due" && exit 1; fi
    ;;
list) target_sets | sort -r ;;
*)
    echo "usage: $0 schedule | run | due [<epoch>] | list" >&2
    exit 2
    ;;
esac
`;

/** The job's script: header, the shared functions, the target's functions, the backup commands. */
export function renderBackupScript(i: BackupScriptInput): string {
    return [
        renderHeader(i, "The tailwart backup job"),
        COMMON_SH,
        i.target.kind === "volume" ? VOLUME_TARGET_SH : BUCKET_TARGET_SH,
        BACKUP_MAIN_SH,
    ].join("");
}
