// The one way a planned container becomes resources (components/deploy/plannedContainer.ts): a new
// container of the deployment is a spec plus this component, with no steps of its own.
import type * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { ContainerSpec, VolumeSpec } from "../../components/plan/spec";
import { envLine, installMocks, type Registry, resolved, settle } from "./harness";

type Mod = typeof import("../../components/deploy/plannedContainer");
let registry: Registry;
let mod: Mod;
let provider: import("@pulumi/docker").Provider;

const backup: ContainerSpec = {
    host: "mailbox",
    name: "stalwart-backup",
    image: "example/backup:1.4.2",
    env: { PGPASSWORD: { secret: "postgresPassword" }, SCHEDULE: "0 3 * * *" },
    ports: [],
    mounts: [{ volume: "stalwart-backups", containerPath: "/backups" }],
    files: [],
    capabilities: [],
    devices: [],
    restart: "unless-stopped",
    labels: { "tailwart.role": "backup" },
};
const volumes: VolumeSpec[] = [{ host: "mailbox", name: "stalwart-backups", retain: true }];

beforeAll(async () => {
    registry = await installMocks({ stack: "dev" });
    mod = await import("../../components/deploy/plannedContainer");
    const Docker = await import("@pulumi/docker");
    provider = new Docker.Provider("mailbox-docker", { host: "ssh://deploy@mailbox.example.net" });
});

describe("PlannedContainer", () => {
    let c: InstanceType<Mod["PlannedContainer"]>;
    beforeAll(async () => {
        c = new mod.PlannedContainer("backup", {
            container: backup,
            volumes,
            secrets: { postgresPassword: "pg-SECRET" },
            dockerProvider: provider,
            waitHealthySeconds: 60,
        });
        await resolved(c.containerId);
        await settle(registry);
    });

    it("creates its named volume (retained as planned), pulls its image and waits until healthy", () => {
        expect(registry.one("docker:index/volume:Volume", "backup-stalwart-backups").retainOnDelete).toBe(true);
        expect(registry.one("docker:index/remoteImage:RemoteImage", "backup-image").inputs.name).toBe(
            "example/backup:1.4.2",
        );
        const container = registry.one("docker:index/container:Container", "backup-container");
        expect(container.inputs).toMatchObject({ name: "stalwart-backup", wait: true, waitTimeout: 60 });
        expect(container.deleteBeforeReplace).toBe(true);
        expect(container.dependencies).toContain(
            registry.one("docker:index/volume:Volume", "backup-stalwart-backups").urn,
        );
        expect(envLine(container.inputs, "PGPASSWORD")).toEqual({ line: "PGPASSWORD=pg-SECRET", secret: true });
    });

    it("joins another container's netns by id, replaced with it", async () => {
        const joined = new mod.PlannedContainer("joined", {
            container: { ...backup, name: "joined", networkMode: "container:owner" },
            volumes,
            secrets: { postgresPassword: "x" },
            dockerProvider: provider,
            netnsOwnerId: "owner-id-7" as unknown as pulumi.Input<string>,
        });
        await resolved(joined.containerId);
        await settle(registry);
        const container = registry.one("docker:index/container:Container", "joined-container");
        expect(container.inputs.networkMode).toBe("container:owner-id-7");
        expect(container.replaceOnChanges).toEqual(["networkMode"]);
    });

    it("refuses a netns join without the owner's id, and an undeclared volume, before any resource exists", () => {
        const dockerCount = () => registry.all.filter((r) => r.type.startsWith("docker:")).length;
        const before = dockerCount();
        const secrets = { postgresPassword: "x" };
        expect(
            () =>
                new mod.PlannedContainer("no-owner", {
                    container: { ...backup, networkMode: "container:owner" },
                    volumes,
                    secrets,
                    dockerProvider: provider,
                }),
        ).toThrow(/netnsOwnerId/);
        expect(
            () =>
                new mod.PlannedContainer("no-volume", {
                    container: backup,
                    volumes: [],
                    secrets,
                    dockerProvider: provider,
                }),
        ).toThrow(/does not declare/);
        expect(
            () => new mod.PlannedContainer("no-secret", { container: backup, volumes, dockerProvider: provider }),
        ).toThrow(/needs secret "postgresPassword"/);
        expect(dockerCount()).toBe(before);
    });
});
