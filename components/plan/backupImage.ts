/**
 * How the backup job's image is built when backup.image is not set: the build context and
 * Dockerfile under backup/, and the pinned images it copies from, passed as build args. The
 * Dockerfile's ARG defaults carry the same values (a unit test keeps them equal), so a hand-run
 * `docker build backup/` gives the same image. The stack's stalwart.image is the third argument:
 * the job exports with the very binary that runs the store.
 */
export const BACKUP_BUILD = {
    context: "backup",
    dockerfile: "backup/Dockerfile",
    args: {
        /** pg_dump, psql and pg_restore 18, on Debian trixie like Stalwart's image: they dump servers 9.2 to 18 */
        POSTGRES_IMAGE: "postgres:18.1-trixie",
        /** a static rclone binary, for a bucket target */
        RCLONE_IMAGE: "rclone/rclone:1.71.2",
    },
} as const;

/** The built image's name: what it holds, so a new Stalwart or Postgres pin names a new image. */
export function backupImageName(stalwartImage: string): string {
    const stalwartTag = (stalwartImage.split("@")[0]!.split("/").pop()!.split(":")[1] ?? "untagged").replace(
        /[^A-Za-z0-9_.-]/g,
        "-",
    );
    const pg = BACKUP_BUILD.args.POSTGRES_IMAGE.split(":")[1]!.split("-")[0];
    const rclone = BACKUP_BUILD.args.RCLONE_IMAGE.split(":")[1];
    return `tailwart/stalwart-backup:${stalwartTag}-pg${pg}-rclone${rclone}`;
}
