/**
 * Runs the rendered backup and restore scripts under `sh` in a scratch directory, with stub
 * `stalwart`, `pg_dump`, `psql`, `pg_restore` and `rclone` first on PATH. Each stub appends its
 * command line to a log (so tests read what ran, in order) and fails when STUB_FAIL names it; the
 * rclone stub maps `backup:<bucket>/…` onto a local directory and refuses to work without the keys
 * the container's env carries. The real-server test keeps only the stalwart stub.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseSchedule } from "../../components/config/schedule";
import { type BackupScriptInput, renderBackupScript } from "../../components/plan/backupScript";
import { renderRestoreScript } from "../../components/plan/restoreScript";

const STUBS: Record<string, string> = {
    stalwart: `#!/bin/sh
echo "stalwart $*" >>"$STUB_LOG"
[ "$1" = --version ] && { echo "stalwart 0.16.18"; exit 0; }
case ",$STUB_FAIL," in *,stalwart,*) echo "stalwart: stub failure" >&2; exit 3 ;; esac
while [ $# -gt 0 ]; do
    case "$1" in
    --export) [ -n "$STUB_EXPORT_EMPTY" ] && mkdir -p "$2" || { mkdir -p "$2/blobs" && echo "blob of $PGDATABASE" >"$2/blobs/1" && echo registry >"$2/registry"; } ; shift 2 ;;
    --import) [ -f "$2/registry" ] || { echo "stalwart: nothing to import in $2" >&2; exit 4; }; shift 2 ;;
    *) shift ;;
    esac
done
`,
    pg_dump: `#!/bin/sh
echo "pg_dump $*" >>"$STUB_LOG"
case ",$STUB_FAIL," in *,pg_dump,*) echo "pg_dump: error: connection to server failed" >&2; exit 1 ;; esac
[ -n "$PGPASSWORD" ] || { echo "pg_dump: no password supplied" >&2; exit 1; }
for a in "$@"; do case "$a" in --file=*) echo "dump of $PGDATABASE as $PGUSER" >"$(echo "$a" | cut -d = -f 2-)" ;; esac; done
`,
    psql: `#!/bin/sh
input=""
[ -t 0 ] || input=$(cat)
echo "psql $* <<< $input" | tr '\\n' ' ' >>"$STUB_LOG"; echo >>"$STUB_LOG"
case ",$STUB_FAIL," in *,psql,*) echo "psql: error: connection to server failed" >&2; exit 2 ;; esac
case "$*" in *pg_stat_activity*) [ -n "$STUB_SESSIONS" ] && printf '%s\\n' "$STUB_SESSIONS" ;; esac
exit 0
`,
    pg_restore: `#!/bin/sh
echo "pg_restore $*" >>"$STUB_LOG"
case ",$STUB_FAIL," in *,pg_restore,*) echo "pg_restore: error: could not execute query" >&2; exit 1 ;; esac
`,
    rclone: `#!/bin/sh
# backup:<bucket>/<path> -> $RCLONE_ROOT/<bucket>/<path>
echo "rclone $*" >>"$STUB_LOG"
[ -n "$RCLONE_CONFIG_BACKUP_ACCESS_KEY_ID" ] && [ -n "$RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY" ] || { echo "rclone: AccessDenied: no credentials" >&2; exit 1; }
[ "$RCLONE_CONFIG_BACKUP_TYPE" = s3 ] || { echo "rclone: remote backup is not configured" >&2; exit 1; }
local_of() { case "$1" in backup:*) echo "$RCLONE_ROOT/$(echo "$1" | cut -d : -f 2-)" ;; *) echo "$1" ;; esac; }
cmd=$1; shift
exclude=""; args=""; dirs=""
while [ $# -gt 0 ]; do
    case "$1" in
    --exclude) exclude=$2; shift 2 ;;
    --dirs-only) dirs=1; shift ;;
    --include|--max-depth) shift 2 ;;
    -*) shift ;;
    *) args="$args $(local_of "$1")"; shift ;;
    esac
done
set -- $args
case "$cmd" in
copy) mkdir -p "$2" && cp -R "$1/." "$2/" && { [ -z "$exclude" ] || rm -f "$2/MANIFEST"; } ;;
copyto) mkdir -p "$(dirname "$2")" && cp "$1" "$2" ;;
lsf) cd "$1" 2>/dev/null || exit 0
    if [ -n "$dirs" ]; then for d in */; do [ -d "$d" ] && echo "$d"; done; else for f in stalwart-*/MANIFEST; do [ -f "$f" ] && echo "$f"; done; fi; exit 0 ;;
purge) rm -rf "$1" ;;
rcat) mkdir -p "$(dirname "$1")" && cat >"$1" ;;
cat) cat "$1" ;;
*) echo "rclone stub: $cmd" >&2; exit 1 ;;
esac
`,
};

export interface ScriptRun {
    status: number;
    stdout: string;
    stderr: string;
}

export interface Sandbox {
    dir: string;
    backupDir: string;
    stateDir: string;
    /** a bucket target's objects: <bucketRoot>/<key> */
    bucketRoot: string;
    input: BackupScriptInput;
    backupScript: string;
    restoreScript: string;
    run(script: "backup" | "restore", args: string[], env?: Record<string, string>): ScriptRun;
    /** the stubs' command lines, in order */
    log(): string[];
}

export const PASSWORD = "role-password-4f1c";
export const S3_KEYS = {
    RCLONE_CONFIG_BACKUP_ACCESS_KEY_ID: "GK-backup",
    RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY: "backup-secret-9d2e",
};

export interface SandboxOptions {
    kind?: "volume" | "bucket";
    schedule?: string;
    retention?: number;
    /** stubs to leave out (the real tool on PATH is used instead) */
    real?: string[];
    postgres?: BackupScriptInput["postgres"];
}

const made: string[] = [];

/** Removes every sandbox made so far (afterAll). */
export function removeSandboxes(): void {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A scratch directory with the rendered scripts, the stubs and empty target and state directories. */
export function sandbox(opts: SandboxOptions = {}): Sandbox {
    const dir = mkdtempSync(join(tmpdir(), "tailwart-backup-"));
    made.push(dir);
    const [bin, backupDir, stateDir, bucketRoot] = ["bin", "target", "state", "bucket"].map((d) => join(dir, d)) as [
        string,
        string,
        string,
        string,
    ];
    for (const d of [bin, backupDir, bucketRoot]) mkdirSync(d);
    for (const [name, text] of Object.entries(STUBS).filter(([n]) => !(opts.real ?? []).includes(n))) {
        writeFileSync(join(bin, name), text);
        chmodSync(join(bin, name), 0o755);
    }
    writeFileSync(join(dir, "config.json"), '{"@type":"PostgreSql","host":"db"}\n');
    const input: BackupScriptInput = {
        stack: "dev",
        schedule: parseSchedule(opts.schedule ?? "0 3 * * *").schedule!,
        retention: opts.retention ?? 3,
        target:
            (opts.kind ?? "volume") === "volume"
                ? { kind: "volume", volume: "stalwart-backups", dir: backupDir }
                : {
                      kind: "bucket",
                      bucket: "stalwart-backups",
                      keyName: "stalwart-backup",
                      s3Endpoint: "http://garage.tail7b1641.ts.net:3900",
                      region: "garage",
                  },
        postgres: opts.postgres ?? {
            host: "pg.tail7b1641.ts.net",
            port: 5432,
            database: "stalwart",
            role: "stalwart",
            sslmode: "disable",
        },
        stateDir,
        stalwartConfig: join(dir, "config.json"),
        stalwartContainer: "stalwart",
        backupContainer: "stalwart-backup",
    };
    const backupScript = renderBackupScript(input);
    const restoreScript = renderRestoreScript(input);
    writeFileSync(join(dir, "backup.sh"), backupScript);
    writeFileSync(join(dir, "restore.sh"), restoreScript);
    const logFile = join(dir, "stub.log");
    writeFileSync(logFile, "");
    return {
        dir,
        backupDir,
        stateDir,
        bucketRoot,
        input,
        backupScript,
        restoreScript,
        run(script, args, env = {}) {
            const r = spawnSync("sh", [join(dir, `${script}.sh`), ...args], {
                encoding: "utf8",
                timeout: 30_000,
                env: {
                    PATH: `${bin}:${process.env.PATH}`,
                    STUB_LOG: logFile,
                    RCLONE_ROOT: bucketRoot,
                    STALWART_DB_PASSWORD: PASSWORD,
                    ...(opts.kind === "bucket" ? S3_KEYS : {}),
                    ...env,
                },
            });
            return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
        },
        log: () => readFileSync(logFile, "utf8").split("\n").filter(Boolean),
    };
}

/** A complete set as a run leaves it, dated `stamp` (YYYYMMDDTHHMMSSZ), written straight into a directory. */
export function fakeSet(root: string, stamp: string, opts: { manifest?: boolean } = {}): string {
    const name = `stalwart-${stamp}`;
    mkdirSync(join(root, name, "export"), { recursive: true });
    writeFileSync(join(root, name, "postgres.dump"), `old dump ${stamp}\n`);
    writeFileSync(join(root, name, "export", "registry"), "old\n");
    if (opts.manifest !== false) {
        const sha = spawnSync("sha256sum", [join(root, name, "postgres.dump")], { encoding: "utf8" }).stdout.split(
            " ",
        )[0];
        writeFileSync(join(root, name, "MANIFEST"), `set=${name}\npostgres.dump.sha256=${sha}\n`);
    }
    return name;
}
