/**
 * The backup job as MailDeployment makes it, under mocks: a PlannedContainer on the mailbox host in
 * the sidecar's netns, its image built there from backup/, its volume kept on destroy, started after
 * Stalwart, its secrets only as secret env; for a bucket target a Garage bucket with a key of its own.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Settings } from "../../components/config";
import { clearOccurrences, envLine, installMocks, type Registered, type Registry, resolved, settle } from "./harness";

type Mod = typeof import("../../components/deploy/deployment");
let registry: Registry;
let mod: Mod;
let settings: (edit?: (r: Record<string, any>) => void) => Settings;

beforeAll(async () => {
    registry = await installMocks({ stack: "dev" });
    mod = await import("../../components/deploy/deployment");
    const { parseSettings } = await import("../../components/config");
    const { validRaw } = await import("../support/stackConfig");
    settings = (edit) => {
        const raw = validRaw();
        raw.postgres.adminPassword = "pg-admin-secret";
        raw.backup = { schedule: "0 3 * * *", retention: 7, target: { volume: "stalwart-backups" } };
        edit?.(raw);
        return parseSettings(raw, "dev");
    };
});

function descendants(root: Registered): Registered[] {
    const kids = registry.all.filter((r) => r.parent === root.urn);
    return kids.flatMap((k) => [k, ...descendants(k)]);
}

async function deploy(name: string, edit?: (r: Record<string, any>) => void): Promise<Registered[]> {
    const d = new mod.MailDeployment(name, { settings: settings(edit) });
    await resolved(d.garage.bucketId);
    await settle(registry);
    return descendants(registry.one("tailwart:index:MailDeployment", name));
}

const byName = (all: Registered[], type: string, name: string) => {
    const found = all.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} ${name}, found ${found.length}`);
    return found[0]!;
};

describe("the backup job, volume target", () => {
    let all: Registered[];
    beforeAll(async () => {
        all = await deploy("bk");
    });
    const container = () => byName(all, "docker:index/container:Container", "bk-backup-container");

    it("is a PlannedContainer of the deployment, on the mailbox host, in the sidecar's network namespace", () => {
        const component = byName(all, "tailwart:deploy:PlannedContainer", "bk-backup");
        expect(component.parent).toBe(registry.one("tailwart:index:MailDeployment", "bk").urn);
        const c = container();
        expect(c.parent).toBe(component.urn);
        expect(c.inputs.name).toBe("stalwart-backup");
        expect(registry.providerOf(c)?.inputs.host).toBe("ssh://deploy@mailbox.tail7b1641.ts.net");
        expect(c.inputs.networkMode).toBe("container:bk-sidecar-container-id");
        expect(c.replaceOnChanges).toEqual(["networkMode"]);
        expect(c.inputs).not.toHaveProperty("ports");
        expect(c.inputs.command).toEqual(["/bin/sh", "/usr/local/lib/tailwart/backup.sh", "schedule"]);
    });

    it("keeps its volume on destroy and mounts it at /backups", () => {
        const volume = byName(all, "docker:index/volume:Volume", "bk-backup-stalwart-backups");
        expect(volume.inputs.name).toBe("stalwart-backups");
        expect(volume.retainOnDelete).toBe(true);
        expect(container().inputs.mounts).toEqual([
            { type: "volume", source: "stalwart-backups", target: "/backups", readOnly: false },
        ]);
        expect(container().dependencies).toContain(volume.urn);
    });

    it("builds its image on the mailbox host from backup/, with the stack's Stalwart image", () => {
        const image = byName(all, "docker:index/image:Image", "bk-backup-image");
        expect(registry.providerOf(image)?.inputs.host).toBe("ssh://deploy@mailbox.tail7b1641.ts.net");
        expect(image.inputs.imageName).toBe("tailwart/stalwart-backup:v0.16.18-pg18.1-rclone1.71.2");
        expect(image.inputs.skipPush).toBe(true);
        expect(image.inputs.build.dockerfile).toMatch(/\/backup\/Dockerfile$/);
        expect(image.inputs.build.args).toEqual({
            STALWART_IMAGE: "stalwartlabs/stalwart:v0.16.18",
            POSTGRES_IMAGE: "postgres:18.1-trixie",
            RCLONE_IMAGE: "rclone/rclone:1.71.2",
        });
        expect(container().inputs.image).toBe("sha256:built-tailwart/stalwart-backup:v0.16.18-pg18.1-rclone1.71.2");
    });

    it("starts after Stalwart is up, so the store exists before the first export", () => {
        expect(container().dependencies).toContain(
            byName(all, "docker:index/container:Container", "bk-stalwart-container").urn,
        );
    });

    it("gets the role's password and Stalwart's S3 key as secret env, and its scripts and config.json as files", () => {
        const c = container();
        expect(envLine(c.inputs, "STALWART_DB_PASSWORD")).toEqual({
            line: "STALWART_DB_PASSWORD=generated-password-bk-postgres-password",
            secret: true,
        });
        expect(envLine(c.inputs, "STALWART_S3_SECRET_KEY")).toEqual({
            line: "STALWART_S3_SECRET_KEY=garage-secret-stalwart",
            secret: true,
        });
        const uploads = (c.inputs.uploads as { file: string; permissions?: string }[]).map(
            (u) => `${u.file} ${u.permissions}`,
        );
        expect(uploads).toEqual([
            "/etc/stalwart/config.json 0444",
            "/usr/local/lib/tailwart/backup.sh 0555",
            "/usr/local/lib/tailwart/restore.sh 0555",
        ]);
        expect(c.inputs.labels).toContainEqual({ label: "tailwart.role", value: "backup" });
    });

    it("never passes a secret in clear to any resource", () => {
        for (const secret of ["pg-admin-secret", "generated-password-bk-postgres-password", "garage-secret-stalwart"]) {
            for (const r of all.filter((x) => x.type !== "random:index/randomPassword:RandomPassword")) {
                expect(clearOccurrences(r.inputs, secret), `${secret} in ${r.type}/${r.name}`).toEqual([]);
            }
        }
    });
});

describe("the backup job, bucket target and variants", () => {
    it("creates the backup bucket with a key of its own and hands the job that key as secret env", async () => {
        const all = await deploy("bkb", (r) => (r.backup.target = { bucket: "stalwart-backups" }));
        const grant = byName(all, "pulumi-nodejs:dynamic/garage:BucketGrant", "bkb-backup-bucket");
        expect(grant.inputs).toMatchObject({
            adminEndpoint: "http://garage.tail7b1641.ts.net:3903",
            bucket: "stalwart-backups",
            keyName: "stalwart-backup",
        });
        expect(grant.retainOnDelete).toBe(true);
        const c = byName(all, "docker:index/container:Container", "bkb-backup-container");
        expect(envLine(c.inputs, "RCLONE_CONFIG_BACKUP_ACCESS_KEY_ID")).toEqual({
            line: "RCLONE_CONFIG_BACKUP_ACCESS_KEY_ID=GK-stalwart-backup",
            secret: true,
        });
        expect(envLine(c.inputs, "RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY")).toEqual({
            line: "RCLONE_CONFIG_BACKUP_SECRET_ACCESS_KEY=garage-secret-stalwart-backup",
            secret: true,
        });
        expect(c.inputs.mounts).toEqual([]);
        expect(c.dependencies).toContain(grant.urn);
        for (const r of all)
            expect(clearOccurrences(r.inputs, "garage-secret-stalwart-backup"), `${r.type}/${r.name}`).toEqual([]);
        // the mail's own bucket and key are untouched: one grant each
        expect(byName(all, "pulumi-nodejs:dynamic/garage:BucketGrant", "bkb-garage").inputs).toMatchObject({
            bucket: "stalwart-mail",
            keyName: "stalwart",
        });
    });

    it("lets destroy delete the backups only with allowDataLoss", async () => {
        const volume = await deploy("bkl", (r) => (r.allowDataLoss = true));
        expect(byName(volume, "docker:index/volume:Volume", "bkl-backup-stalwart-backups").retainOnDelete).toBe(false);
        const bucket = await deploy("bklb", (r) => {
            r.allowDataLoss = true;
            r.backup.target = { bucket: "stalwart-backups" };
        });
        expect(byName(bucket, "pulumi-nodejs:dynamic/garage:BucketGrant", "bklb-backup-bucket").retainOnDelete).toBe(
            false,
        );
    });

    it("pulls a prebuilt image, and makes nothing without the backup key", async () => {
        const prebuilt = await deploy("bkp", (r) => (r.backup.image = "registry.example.com/stalwart-backup:1.2.3"));
        expect(byName(prebuilt, "docker:index/remoteImage:RemoteImage", "bkp-backup-image").inputs.name).toBe(
            "registry.example.com/stalwart-backup:1.2.3",
        );
        expect(prebuilt.filter((r) => r.type === "docker:index/image:Image").map((r) => r.name)).toEqual([
            "bkp-edge-image",
        ]);
        const none = await deploy("bkn", (r) => delete r.backup);
        expect(none.filter((r) => r.name.includes("backup"))).toEqual([]);
    });
});
