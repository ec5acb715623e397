/**
 * The backup job in the plan: its container on the mailbox host (the sidecar's netns, no ports, the
 * target volume, secrets only as references, the same config.json as Stalwart, the scripts as
 * files), its retained volume, its pinned image, what `npm run plan` prints, and the rendered scripts
 * as text.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseSettings } from "../../components/config";
import { tagKind } from "../../components/config/images";
import { parseImageRef } from "../../components/config/validators";
import { buildPlan } from "../../components/plan";
import { BACKUP_BUILD, backupImageName } from "../../components/plan/backupImage";
import { renderBackupScript, shellQuote } from "../../components/plan/backupScript";
import { BACKUP_PATHS, backupScriptInput } from "../../components/plan/backupSpec";
import { formatPlan } from "../../components/plan/report";
import { renderRestoreScript } from "../../components/plan/restoreScript";
import { isSecretRef } from "../../components/plan/spec";
import { cliCommand } from "../support/cli";
import { loadStackConfig, PROJECT_ROOT, validRaw } from "../support/stackConfig";

const planOf = (edit: (raw: Record<string, any>) => void, stack = "dev") => {
    const raw = validRaw();
    raw.backup = { schedule: "0 3 * * *", retention: 7, target: { volume: "stalwart-backups" } };
    edit(raw);
    return buildPlan(parseSettings(raw, stack));
};

describe("the backup job in the plan", () => {
    it("is absent without the backup key", () => {
        const plan = buildPlan(parseSettings(validRaw(), "dev"));
        expect(plan.backup).toBeUndefined();
        expect(plan.mailbox.volumes.map((v) => v.name)).toEqual([
            "stalwart-data",
            "stalwart-config",
            "ts-stalwart-state",
        ]);
    });

    it("runs in the sidecar's network namespace, publishing nothing, with the target volume and the scripts as files", () => {
        const plan = planOf(() => undefined);
        const c = plan.backup!.container;
        expect(c).toMatchObject({
            host: "mailbox",
            name: "stalwart-backup",
            networkMode: "container:ts-stalwart",
            ports: [],
            restart: "unless-stopped",
            capabilities: [],
            devices: [],
        });
        expect(c.hostname).toBeUndefined();
        expect(c.dns).toBeUndefined();
        expect(c.command).toEqual(["/bin/sh", "/usr/local/lib/tailwart/backup.sh", "schedule"]);
        expect(c.mounts).toEqual([{ volume: "stalwart-backups", containerPath: "/backups" }]);
        const files = Object.fromEntries(c.files.map((f) => [f.containerPath, f]));
        // the very config.json Stalwart runs with: --export opens the same data store
        expect(files["/etc/stalwart/config.json"]).toEqual({
            containerPath: "/etc/stalwart/config.json",
            content: plan.mailbox.configJson,
            mode: 0o444,
        });
        const scripts = backupScriptInput({
            stack: "dev",
            backup: parseSettings(
                {
                    ...validRaw(),
                    backup: { schedule: "0 3 * * *", retention: 7, target: { volume: "stalwart-backups" } },
                },
                "dev",
            ).backup!,
            image: c.image,
            sidecarContainer: "ts-stalwart",
            stalwartContainer: "stalwart",
            configJson: plan.mailbox.configJson,
            postgres: {
                host: "the-record-prod.tail7b1641.ts.net",
                port: 5432,
                database: "stalwart",
                role: "stalwart",
                sslmode: "disable",
            },
            garage: { s3Endpoint: "http://garage.tail7b1641.ts.net:3900", region: "garage" },
        });
        expect(files[BACKUP_PATHS.backupScript]).toEqual({
            containerPath: BACKUP_PATHS.backupScript,
            content: renderBackupScript(scripts),
            mode: 0o555,
        });
        expect(files[BACKUP_PATHS.restoreScript]).toEqual({
            containerPath: BACKUP_PATHS.restoreScript,
            content: renderRestoreScript(scripts),
            mode: 0o555,
        });
        expect(c.labels).toEqual({
            "tailwart.role": "backup",
            "tailwart.backup.schedule": "0 3 * * *",
            "tailwart.backup.retention": "7",
            "tailwart.backup.target": "volume:stalwart-backups",
        });
    });

    it("gets every secret as a reference to a plan secret, never a value", () => {
        const volume = planOf(() => undefined).backup!.container.env;
        expect(volume).toEqual({
            STALWART_DB_PASSWORD: { secret: "postgresPassword" },
            STALWART_S3_ACCESS_KEY: { secret: "garageAccessKeyId" },
            STALWART_S3_SECRET_KEY: { secret: "garageSecretAccessKey" },
        });
        const bucket = planOf((r) => (r.backup.target = { bucket: "stalwart-backups" })).backup!;
        expect(bucket.container.env).toMatchObject({
            RCLONE_CONFIG_BACKUP_ACCESS_KEY_ID: { secret: "backupAccessKeyId" },
            RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY: { secret: "backupSecretAccessKey" },
        });
        expect(Object.values(bucket.container.env).every(isSecretRef)).toBe(true);
        expect(bucket.container.mounts).toEqual([]);
        expect(bucket.target).toEqual({
            kind: "bucket",
            bucket: "stalwart-backups",
            keyName: "stalwart-backup",
            s3Endpoint: "http://garage.tail7b1641.ts.net:3900",
            region: "garage",
        });
    });

    it("keeps the backup volume on destroy unless the stack allows data loss", () => {
        expect(planOf(() => undefined).mailbox.volumes.find((v) => v.name === "stalwart-backups")).toEqual({
            host: "mailbox",
            name: "stalwart-backups",
            retain: true,
        });
        expect(
            planOf((r) => (r.allowDataLoss = true)).mailbox.volumes.find((v) => v.name === "stalwart-backups")!.retain,
        ).toBe(false);
        expect(
            planOf((r) => (r.backup.target = { bucket: "stalwart-backups" })).mailbox.volumes.map((v) => v.name),
        ).not.toContain("stalwart-backups");
    });

    it("builds its image from the stack's own Stalwart image and pinned tools, or pulls a prebuilt one", () => {
        const built = planOf((r) => (r.stalwart.image = "stalwartlabs/stalwart:v0.16.17")).backup!.image;
        expect(built).toEqual({
            kind: "build",
            name: "tailwart/stalwart-backup:v0.16.17-pg18.1-rclone1.71.2",
            context: "backup",
            dockerfile: "backup/Dockerfile",
            args: {
                STALWART_IMAGE: "stalwartlabs/stalwart:v0.16.17",
                POSTGRES_IMAGE: "postgres:18.1-trixie",
                RCLONE_IMAGE: "rclone/rclone:1.71.2",
            },
        });
        const prebuilt = planOf((r) => (r.backup.image = "registry.example.com/stalwart-backup:1.2.3")).backup!;
        expect(prebuilt.image).toEqual({ kind: "prebuilt", name: "registry.example.com/stalwart-backup:1.2.3" });
        expect(prebuilt.container.image).toBe("registry.example.com/stalwart-backup:1.2.3");
        expect(backupImageName("registry.local:5000/stalwartlabs/stalwart:v0.16.18-alpine@sha256:abc")).toBe(
            "tailwart/stalwart-backup:v0.16.18-alpine-pg18.1-rclone1.71.2",
        );
    });

    it("shows in `npm run plan`: schedule, retention, target, image, container and how to restore", () => {
        const raw = loadStackConfig("prod") as Record<string, any>;
        raw.backup.target = { bucket: "stalwart-backups" };
        const text = formatPlan(buildPlan(parseSettings(raw, "prod")));
        expect(text).toContain(
            "== backup job on the mailbox host: pg_dump and stalwart --export, 30 2 * * * (cron, UTC)",
        );
        expect(text).toContain(
            "keeps the newest 14 in Garage bucket stalwart-backups (key stalwart-backup with read+write",
        );
        expect(text).toContain("  container stalwart-backup\n");
        expect(text).toContain("env           RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY=<secret: backupSecretAccessKey>");
        expect(text).toContain(
            "restore, with Stalwart stopped: docker exec stalwart-backup /usr/local/lib/tailwart/restore.sh latest --confirm stalwart",
        );
        expect(text).toContain("backupSecretAccessKey: secret key of the backup bucket's Garage key");
    });
});

describe("npm run plan", () => {
    it("prints the dev stack's backup job", () => {
        const r = spawnSync(...cliCommand("plan", "--stack", "dev"), {
            cwd: PROJECT_ROOT,
            encoding: "utf8",
            timeout: 60_000,
        });
        expect(r.status, r.stderr).toBe(0);
        expect(r.stdout).toContain(
            "== backup job on the mailbox host: pg_dump and stalwart --export, 0 3 * * * (cron, UTC)",
        );
        expect(r.stdout).toContain("  volume stalwart-backups-dev  kept on destroy");
        expect(r.stdout).toContain("    volume        stalwart-backups-dev -> /backups");
    });
});

describe("backup/Dockerfile", () => {
    const dockerfile = readFileSync(join(PROJECT_ROOT, BACKUP_BUILD.dockerfile), "utf8");
    const args = Object.fromEntries([...dockerfile.matchAll(/^ARG (\w+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));

    it("has ARG defaults equal to the plan's pins, and the committed stacks' Stalwart image", () => {
        expect(args).toEqual({
            STALWART_IMAGE: (loadStackConfig("dev").stalwart as { image: string }).image,
            ...BACKUP_BUILD.args,
        });
    });

    it("pins its tool images by release, as every image key must be", () => {
        for (const image of Object.values(BACKUP_BUILD.args)) {
            const { tag, digest } = parseImageRef(image);
            expect(tagKind(tag, digest), image).not.toBe("moving");
        }
    });

    it("takes every layer from a pinned image and downloads nothing", () => {
        expect([...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])).toEqual([
            "${STALWART_IMAGE}",
            "${RCLONE_IMAGE}",
            "${POSTGRES_IMAGE}",
        ]);
        expect(dockerfile).not.toMatch(/apt-get|apk add|curl|wget/);
        expect(dockerfile).toMatch(/RUN set -eu; \\\n\s+stalwart --version;/);
    });
});

describe("the rendered scripts as text", () => {
    const dir = mkdtempSync(join(tmpdir(), "tailwart-backup-text-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const stacks = {
        volume: planOf(() => undefined),
        bucket: planOf((r) => (r.backup.target = { bucket: "stalwart-backups" })),
    };

    it.each(Object.keys(stacks))(
        "%s target: both scripts parse under sh, and name only their own target's tools",
        (kind) => {
            const files = stacks[kind as keyof typeof stacks].backup!.container.files;
            for (const path of [BACKUP_PATHS.backupScript, BACKUP_PATHS.restoreScript]) {
                const text = files.find((f) => f.containerPath === path)!.content;
                const file = join(dir, `${kind}-${path.split("/").pop()}`);
                writeFileSync(file, text);
                const r = spawnSync("sh", ["-n", file], { encoding: "utf8" });
                expect(r.status, r.stderr).toBe(0);
                expect(text.startsWith("#!/bin/sh\n")).toBe(true);
                expect(text.includes("rclone ")).toBe(kind === "bucket");
                expect(text).toContain(
                    "export PGHOST='the-record-prod.tail7b1641.ts.net'\nexport PGPORT='5432'\nexport PGUSER='stalwart'\nexport PGDATABASE='stalwart'",
                );
                expect(text).toContain('export PGPASSWORD="$STALWART_DB_PASSWORD"');
                // the job's sessions are told from Stalwart's in pg_stat_activity
                expect(text).toContain("export PGAPPNAME='tailwart-backup'");
            }
        },
    );

    it("expands the cron schedule into value sets, so the shell never parses cron", () => {
        const text = planOf((r) => (r.backup.schedule = "15 */6 1,15 * mon")).backup!.container.files[1]!.content;
        expect(text).toContain("CRON_MINUTES=' 15 '\nCRON_HOURS=' 0 6 12 18 '\nCRON_DAYS=' 1 15 '");
        expect(text).toContain("CRON_WEEKDAYS=' 1 '\nCRON_DAY_RULE='or'");
        const interval = planOf((r) => (r.backup.schedule = "30m")).backup!.container.files[1]!.content;
        expect(interval).toContain("SCHEDULE_KIND='interval'\nINTERVAL_SECONDS='1800'\nRETRY_SECONDS='1800'");
    });

    it("quotes every value as one shell word", () => {
        expect(shellQuote("it's $HOME `x`")).toBe(`'it'\\''s $HOME \`x\`'`);
        const r = spawnSync("sh", ["-c", `printf '%s' ${shellQuote("it's $HOME `x`")}`], { encoding: "utf8" });
        expect(r.stdout).toBe("it's $HOME `x`");
    });
});
