/**
 * The POSIX sh the backup and restore scripts share: logging, the lock that keeps one backup or
 * restore at a time, the success record, and the two targets (a directory on a docker volume, or a
 * Garage bucket through rclone) behind the same eight functions. Plain text, no values: the header
 * renderBackupScript writes sets every variable these read. Written without `${…}` (String.raw
 * would take it for interpolation): basename, dirname and $((…)) do that work.
 */

/** Logging, the lock and the success record. */
export const COMMON_SH = String.raw`
log() { printf '%s tailwart-backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }
now_iso() { date -u +%Y-%m-%dT%H:%M:%SZ; }

# One backup or restore at a time: mkdir is atomic. A lock whose process is gone is taken over.
lock() {
    mkdir -p "$STATE_DIR" || return 1
    if mkdir "$STATE_DIR/lock" 2>/dev/null; then
        echo "$$" >"$STATE_DIR/lock/pid"
        return 0
    fi
    holder=$(cat "$STATE_DIR/lock/pid" 2>/dev/null)
    if [ -n "$holder" ] && kill -0 "$holder" 2>/dev/null; then
        log "another backup or restore (pid $holder) is running; try again when it has finished"
        return 1
    fi
    log "taking over the lock of pid $holder, which is gone"
    rm -rf "$STATE_DIR/lock"
    mkdir "$STATE_DIR/lock" && echo "$$" >"$STATE_DIR/lock/pid"
}
unlock() { rm -rf "$STATE_DIR/lock"; }

# The environment the tools need: the role's password arrives as the container's secret env.
check_env() {
    if [ -z "$PGPASSWORD" ]; then
        log "$DB_PASSWORD_ENV is not set in the container; the deployment sets it (pulumi up)"
        return 1
    fi
}

# "tailwart-backup last-success=<UTC time> set=<name> target=<target>": the one line the target's
# last-success file, the database's comment and the doctor share (components/plan/backupStatus.ts).
status_line() { printf 'tailwart-backup last-success=%s set=%s target=%s\n' "$1" "$2" "$TARGET_DESC"; }

# The success, where the doctor reads it: the comment on the database (the role owns it).
record_in_postgres() {
    printf '%s\n' "COMMENT ON DATABASE :\"dbname\" IS :'status';" |
        psql -X -q -v ON_ERROR_STOP=1 -v dbname="$PGDATABASE" -v status="$1" >/dev/null
}

# The sets in the target, oldest first; the newest when asked for "latest".
resolve_set() {
    sets=$(target_sets) || return 1
    if [ "$1" = latest ]; then
        name=$(printf '%s\n' "$sets" | grep . | tail -n 1)
    else
        name=$(printf '%s\n' "$sets" | grep -x -F -e "$1")
    fi
    if [ -z "$name" ]; then
        # stderr: the caller reads stdout as the name
        log "no complete backup named $1 in $TARGET_DESC; list them with: list" >&2
        return 1
    fi
    printf '%s\n' "$name"
}
`;

/** A directory on a named volume: a set is staged beside the others and renamed into place. */
export const VOLUME_TARGET_SH = String.raw`
target_staging() { printf '%s/.partial-%s\n' "$BACKUP_DIR" "$1"; }
target_store() {
    [ ! -e "$BACKUP_DIR/$2" ] || { log "$2 already exists in $TARGET_DESC"; return 1; }
    mv "$1" "$BACKUP_DIR/$2"
}
target_sets() {
    for manifest in "$BACKUP_DIR"/stalwart-*/MANIFEST; do
        [ -f "$manifest" ] && basename "$(dirname "$manifest")"
    done | sort
}
target_clean() {
    rm -rf "$BACKUP_DIR"/.partial-* || return 1
    for dir in "$BACKUP_DIR"/stalwart-*; do
        [ -d "$dir" ] && [ ! -f "$dir/MANIFEST" ] || continue
        log "removing the incomplete set $(basename "$dir")"
        rm -rf "$dir" || return 1
    done
    return 0
}
target_delete() { rm -rf "$BACKUP_DIR/$1"; }
target_put_marker() { cat >"$BACKUP_DIR/.last-success.new" && mv -f "$BACKUP_DIR/.last-success.new" "$BACKUP_DIR/last-success"; }
target_get_marker() { cat "$BACKUP_DIR/last-success" 2>/dev/null; }
target_fetch() { printf '%s/%s\n' "$BACKUP_DIR" "$1"; }
target_release() { :; }
`;

/** A Garage bucket through rclone (remote "backup", configured by RCLONE_CONFIG_BACKUP_* env): MANIFEST goes up last. */
export const BUCKET_TARGET_SH = String.raw`
target_staging() { printf '%s/staging/%s\n' "$STATE_DIR" "$1"; }
target_store() {
    rclone copy --exclude /MANIFEST "$1" "$RCLONE_REMOTE/$2" &&
        rclone copyto "$1/MANIFEST" "$RCLONE_REMOTE/$2/MANIFEST" &&
        rm -rf "$1"
}
target_sets() {
    listing=$(rclone lsf -R --files-only --max-depth 2 --include '/stalwart-*/MANIFEST' "$RCLONE_REMOTE") || return 1
    printf '%s\n' "$listing" | sed -n 's#^\(stalwart-[0-9TZ]*\)/MANIFEST$#\1#p' | sort
}
target_clean() {
    rm -rf "$STATE_DIR/staging" "$STATE_DIR/restore" || return 1
    complete=$(target_sets) || return 1
    dirs=$(rclone lsf --dirs-only "$RCLONE_REMOTE") || return 1
    for dir in $(printf '%s\n' "$dirs" | sed -n 's#^\(stalwart-[0-9TZ]*\)/$#\1#p'); do
        printf '%s\n' "$complete" | grep -q -x -F -e "$dir" && continue
        log "removing the incomplete set $dir"
        rclone purge "$RCLONE_REMOTE/$dir" || return 1
    done
    return 0
}
target_delete() { rclone purge "$RCLONE_REMOTE/$1"; }
target_put_marker() { rclone rcat "$RCLONE_REMOTE/last-success"; }
target_get_marker() { rclone cat "$RCLONE_REMOTE/last-success" 2>/dev/null; }
target_fetch() {
    rclone copy "$RCLONE_REMOTE/$1" "$STATE_DIR/restore/$1" >&2 && printf '%s\n' "$STATE_DIR/restore/$1"
}
target_release() { rm -rf "$STATE_DIR/restore"; }
`;
