/**
 * The restore script, uploaded beside the backup script and run by an operator in the backup
 * container (docs/runbooks/backups.md): `restore.sh list`, then
 * `restore.sh <set|latest> --confirm <database> [--database-only]`. With Stalwart stopped (it
 * refuses while any other session of the role is open on the database), it checks the set against
 * its MANIFEST, empties the database, runs `stalwart --import` (the store, blobs included, back into
 * the configured stores) and then `pg_restore --clean` in one transaction (the database exactly as
 * pg_dump saw it). `--database-only` skips the import when the bucket of mail blobs is intact.
 */
import { type BackupScriptInput, renderHeader } from "./backupScript";
import { BUCKET_TARGET_SH, COMMON_SH, VOLUME_TARGET_SH } from "./backupShell";

const RESTORE_MAIN_SH = String.raw`
usage() {
    echo "usage: $0 list | $0 <set|latest> --confirm <database> [--database-only]" >&2
    exit 2
}

# The set as its MANIFEST describes it: present, and the dump the size and hash it had.
verify_set() {
    [ -f "$1/MANIFEST" ] || { log "$1 has no MANIFEST: not a complete backup"; return 1; }
    want=$(sed -n 's/^postgres.dump.sha256=//p' "$1/MANIFEST")
    got=$(sha256sum "$1/postgres.dump" 2>/dev/null | cut -d ' ' -f 1)
    [ -n "$want" ] && [ "$want" = "$got" ] || { log "$1/postgres.dump does not match its MANIFEST (sha256 $got, expected $want)"; return 1; }
    [ -d "$1/export" ] || { log "$1 has no export directory"; return 1; }
}

# Stalwart must be stopped: any other session of the role on this database is refused, by address.
stalwart_stopped() {
    others=$(psql -X -A -t -v ON_ERROR_STOP=1 -c "select coalesce(host(client_addr), 'local socket') || ' (' || count(*) || ')' from pg_stat_activity where usename = current_user and datname = current_database() and pid <> pg_backend_pid() group by client_addr order by 1") || {
        log "cannot reach $PGDATABASE on $PGHOST:$PGPORT as $PGUSER"
        return 1
    }
    [ -z "$others" ] && return 0
    log "$PGUSER still has sessions on $PGDATABASE from: $(printf '%s' "$others" | tr '\n' ' ')"
    log "stop Stalwart first (docker stop $STALWART_CONTAINER) and anything else that uses the role, then run this again"
    return 1
}

# Every table and sequence the role owns, so stalwart --import starts from an empty store.
empty_database() {
    psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT schemaname, tablename FROM pg_tables WHERE tableowner = current_user LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I.%I CASCADE', r.schemaname, r.tablename);
    END LOOP;
    FOR r IN SELECT schemaname, sequencename FROM pg_sequences WHERE sequenceowner = current_user LOOP
        EXECUTE format('DROP SEQUENCE IF EXISTS %I.%I CASCADE', r.schemaname, r.sequencename);
    END LOOP;
END
$$;
SQL
}

restore_steps() {
    name=$1 database_only=$2
    dir=$(target_fetch "$name") || { log "could not fetch $name from $TARGET_DESC"; return 1; }
    verify_set "$dir" || return 1
    stalwart_stopped || return 1
    if [ "$database_only" = no ]; then
        log "$name: emptying $PGDATABASE for the import"
        empty_database || { log "could not empty $PGDATABASE"; return 1; }
        log "$name: stalwart --import"
        stalwart --config "$STALWART_CONFIG" --import "$dir/export" || { log "$name: stalwart --import failed (exit $?)"; return 1; }
    fi
    log "$name: pg_restore into $PGDATABASE (one transaction)"
    pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error --dbname="$PGDATABASE" "$dir/postgres.dump" || {
        log "$name: pg_restore failed (exit $?); the transaction was rolled back"
        return 1
    }
    log "$name: restored; start Stalwart again: docker start $STALWART_CONTAINER"
}

restore() {
    set_name=$1
    shift
    confirm="" database_only=no
    while [ $# -gt 0 ]; do
        case "$1" in
        --confirm)
            [ $# -ge 2 ] || usage
            confirm=$2
            shift 2
            ;;
        --database-only)
            database_only=yes
            shift
            ;;
        *) usage ;;
        esac
    done
    if [ "$confirm" != "$PGDATABASE" ]; then
        log "a restore replaces everything in $PGDATABASE; confirm with --confirm $PGDATABASE"
        exit 2
    fi
    check_env || exit 1
    lock || exit 1
    name=$(resolve_set "$set_name") && restore_steps "$name" "$database_only"
    status=$?
    target_release
    unlock
    exit "$status"
}

case "$1" in
"" | -h | --help) usage ;;
list) target_sets | sort -r ;;
*) restore "$@" ;;
esac
`;

/** The restore script: the backup script's header and functions, then the restore commands. */
export function renderRestoreScript(i: BackupScriptInput): string {
    return [
        renderHeader(i, "The tailwart restore"),
        COMMON_SH,
        i.target.kind === "volume" ? VOLUME_TARGET_SH : BUCKET_TARGET_SH,
        RESTORE_MAIN_SH,
    ].join("");
}
