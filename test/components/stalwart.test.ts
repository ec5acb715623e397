import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../components/plan";
import { clearOccurrences, envLine, installMocks, type Registry, settle, resolved } from "./harness";

type Mod = typeof import("../../components/deploy/stalwart");
let registry: Registry;
let mod: Mod;
let plan: (edit?: (r: Record<string, any>) => void) => Plan;
let mailboxDocker: docker.Provider;

const secrets = () => ({
    postgresPassword: pulumi.secret("pg-pass-123"),
    garageAccessKeyId: pulumi.output("GK-access-id"),
    garageSecretAccessKey: pulumi.secret("garage-secret-456"),
});

beforeAll(async () => {
    registry = await installMocks({ stack: "dev" });
    mod = await import("../../components/deploy/stalwart");
    const Docker = await import("@pulumi/docker");
    const { buildPlan } = await import("../../components/plan");
    const { parseSettings } = await import("../../components/config");
    const { validRaw } = await import("../support/stackConfig");
    plan = (edit) => {
        const raw = validRaw();
        edit?.(raw);
        return buildPlan(parseSettings(raw, "dev"));
    };
    mailboxDocker = new Docker.Provider("mailbox-docker", { host: "ssh://deploy@mailbox.tail7b1641.ts.net" });
});

const ADMIN_PASSWORD = "pg-admin-pass-789";
const oneInstance = () => ({
    host: "pg.tail7b1641.ts.net",
    port: 5432,
    sslmode: "disable",
    role: pulumi.output("stalwart"),
    adminUser: "postgres",
    adminPassword: pulumi.secret(ADMIN_PASSWORD),
    drainTimeoutSeconds: 90,
    dockerHost: "ssh://deploy@mailbox.tail7b1641.ts.net",
});

function build(name: string, p: Plan, over: Partial<ConstructorParameters<Mod["StalwartMailbox"]>[1]> = {}) {
    return new mod.StalwartMailbox(name, {
        container: p.mailbox.stalwart,
        volumes: p.mailbox.volumes,
        sidecarContainerId: pulumi.output("sidecar-container-id-1"),
        secrets: secrets(),
        dockerProvider: mailboxDocker,
        oneInstance: oneInstance(),
        ...over,
    });
}

describe("StalwartMailbox", () => {
    let stalwart: InstanceType<Mod["StalwartMailbox"]>;
    let p: Plan;
    beforeAll(async () => {
        p = plan();
        stalwart = build("mail", p);
        await resolved(stalwart.containerId);
        await settle(registry);
    });
    const container = () => registry.one("docker:index/container:Container", "mail-container");

    it("joins the sidecar's network namespace by id and publishes nothing: no ports, hostname or DNS", () => {
        const c = container().inputs;
        // Docker stores container:<id> as given: no perpetual diff, so nothing is ignored
        expect(c.networkMode).toBe("container:sidecar-container-id-1");
        for (const key of ["ports", "hostname", "dns", "dnsSearches", "networksAdvanced", "publishAllPorts"])
            expect(c, key).not.toHaveProperty(key);
    });

    it("is replaced with the sidecar (a new or renamed sidecar is a new id), old one first, with no ignored change", () => {
        const c = container();
        expect(c.replaceOnChanges).toEqual(["networkMode", "labels"]);
        expect(c.ignoreChanges ?? []).toEqual([]);
        expect(c.deleteBeforeReplace).toBe(true);
    });

    it("keeps mail on the named data volume, retained on destroy", () => {
        const vol = registry.one("docker:index/volume:Volume", "mail-stalwart-data");
        expect(vol.inputs.name).toBe("stalwart-data");
        expect(vol.retainOnDelete).toBe(true);
        expect(container().inputs.mounts).toContainEqual({
            type: "volume",
            source: "stalwart-data",
            target: "/var/lib/stalwart",
            readOnly: false,
        });
        expect(container().dependencies).toContain(vol.urn);
    });

    it("mounts nothing but named volumes the plan declares (no anonymous /etc/stalwart either)", () => {
        const mounts = container().inputs.mounts as { type: string; source: string; target: string }[];
        expect(mounts.map((m) => m.target).sort()).toEqual(["/etc/stalwart", "/var/lib/stalwart"]);
        const volumes = registry.ofType("docker:index/volume:Volume").filter((v) => v.name.startsWith("mail-"));
        expect(mounts.map((m) => m.source).sort()).toEqual(volumes.map((v) => v.inputs.name).sort());
        for (const v of volumes) expect(container().dependencies).toContain(v.urn);
    });

    it("uploads config.json as rendered by the plan", () => {
        expect(container().inputs.uploads).toEqual([
            { file: "/etc/stalwart/config.json", content: p.mailbox.configJson, permissions: "0444" },
        ]);
    });

    it("gets the DB password and S3 keys as secret env, never in clear", () => {
        const c = container().inputs;
        expect(envLine(c, "STALWART_DB_PASSWORD")).toEqual({ line: "STALWART_DB_PASSWORD=pg-pass-123", secret: true });
        expect(envLine(c, "STALWART_S3_ACCESS_KEY").line).toBe("STALWART_S3_ACCESS_KEY=GK-access-id");
        expect(envLine(c, "STALWART_S3_SECRET_KEY").line).toBe("STALWART_S3_SECRET_KEY=garage-secret-456");
        expect(clearOccurrences(c, "pg-pass-123")).toEqual([]);
        expect(clearOccurrences(c, "garage-secret-456")).toEqual([]);
    });

    it("runs the pinned image by id, with the mailbox host's provider, under the component", () => {
        expect(registry.one("docker:index/remoteImage:RemoteImage", "mail-image").inputs.name).toBe(
            "stalwartlabs/stalwart:v0.16.18",
        );
        expect(container().inputs.image).toBe("sha256:pulled-stalwartlabs/stalwart:v0.16.18");
        const provider = registry.one("pulumi:providers:docker", "mailbox-docker");
        const component = registry.one("tailwart:mailbox:StalwartMailbox", "mail");
        for (const r of [
            container(),
            registry.one("docker:index/volume:Volume", "mail-stalwart-data"),
            registry.one("docker:index/remoteImage:RemoteImage", "mail-image"),
        ]) {
            expect(registry.providerOf(r)?.urn, r.name).toBe(provider.urn);
            expect(r.parent, r.name).toBe(component.urn);
        }
    });

    it("outputs the container's name and id and the data volume's name", async () => {
        expect(await resolved(stalwart.containerName)).toBe("stalwart");
        expect(await resolved(stalwart.containerId)).toBe("mail-container-id");
        expect(await resolved(stalwart.volumeName)).toBe("stalwart-data");
    });
});

describe("StalwartMailbox with allowDataLoss", () => {
    it("lets destroy delete the data volume", async () => {
        const p = plan((r) => {
            r.allowDataLoss = true;
        });
        await resolved(build("lossy", p).volumeName);
        await settle(registry);
        expect(registry.one("docker:index/volume:Volume", "lossy-stalwart-data").retainOnDelete).toBe(false);
    });
});

describe("StalwartMailbox refuses", () => {
    it("a missing secret, by name", () => {
        const { garageSecretAccessKey: _, ...partial } = secrets();
        expect(() => build("nosecret", plan(), { secrets: partial })).toThrow(
            /STALWART_S3_SECRET_KEY needs secret "garageSecretAccessKey"/,
        );
    });

    it("a container that doesn't join the sidecar's netns", () => {
        const p = plan();
        expect(() => build("bridged", p, { container: { ...p.mailbox.stalwart, networkMode: undefined } })).toThrow(
            /must join the sidecar's netns/,
        );
    });

    it("a mount of a volume the plan doesn't declare", () => {
        const p = plan();
        expect(() =>
            build("undeclared", p, { volumes: p.mailbox.volumes.filter((v) => v.name !== "stalwart-data") }),
        ).toThrow(/mounts volume "stalwart-data", which the plan does not declare/);
    });
});
