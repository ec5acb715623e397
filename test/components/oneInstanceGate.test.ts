// StalwartMailbox behind the one-instance gate, under mocks: what the engine needs to order a
// replacement truthfully (decision 014) — the gate replaced old-first, its key made of everything
// that replaces the container, and the container holding a property dependency on the gate — and
// no secret in clear on the way.
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../components/plan";
import {
    clearOccurrences,
    installMocks,
    isSecretValue,
    type Registered,
    type Registry,
    resolved,
    settle,
    unwrap,
} from "./harness";

type Mod = typeof import("../../components/deploy/stalwart");
type Args = ConstructorParameters<Mod["StalwartMailbox"]>[1];
const GATE = "pulumi-nodejs:dynamic/postgres:OneInstanceGate";
const CONTAINER = "docker:index/container:Container";
const ADMIN_PASSWORD = "pg-admin-pass-789";
const DB_PASSWORD = "pg-pass-123";
const HEX64 = /^[0-9a-f]{64}$/;

let registry: Registry;
let mod: Mod;
let plan: (edit?: (r: Record<string, any>) => void) => Plan;
let mailboxDocker: docker.Provider;
let database: pulumi.CustomResource;

beforeAll(async () => {
    registry = await installMocks({ stack: "dev" });
    mod = await import("../../components/deploy/stalwart");
    const Docker = await import("@pulumi/docker");
    const random = await import("@pulumi/random");
    const { buildPlan } = await import("../../components/plan");
    const { parseSettings } = await import("../../components/config");
    const { validRaw } = await import("../support/stackConfig");
    plan = (edit) => {
        const raw = validRaw();
        edit?.(raw);
        return buildPlan(parseSettings(raw, "dev"));
    };
    mailboxDocker = new Docker.Provider("mailbox-docker", { host: "ssh://deploy@mailbox.tail7b1641.ts.net" });
    // stands in for the database the gate and the container start after
    database = new random.RandomPassword("database-stand-in", { length: 8 });
});

const oneInstance = (): Args["oneInstance"] => ({
    host: "pg.tail7b1641.ts.net",
    port: 5432,
    sslmode: "disable",
    role: pulumi.output("stalwart"),
    adminUser: "postgres",
    adminPassword: pulumi.secret(ADMIN_PASSWORD),
    drainTimeoutSeconds: 90,
    dockerHost: "ssh://deploy@mailbox.tail7b1641.ts.net",
});

/** Builds a mailbox named `name` and returns its gate and container as the engine received them. */
async function build(
    name: string,
    over: Partial<Args> = {},
    p = plan(),
): Promise<{ gate: Registered; container: Registered }> {
    const mailbox = new mod.StalwartMailbox(name, {
        container: p.mailbox.stalwart,
        volumes: p.mailbox.volumes,
        sidecarContainerId: pulumi.output("sidecar-container-id-1"),
        secrets: {
            postgresPassword: pulumi.secret(DB_PASSWORD),
            garageAccessKeyId: pulumi.output("GK-access-id"),
            garageSecretAccessKey: pulumi.secret("garage-secret-456"),
        },
        dockerProvider: mailboxDocker,
        oneInstance: oneInstance(),
        startAfter: [database],
        ...over,
    });
    await resolved(mailbox.containerId);
    await settle(registry);
    return {
        gate: registry.one(GATE, `${name}-one-instance`),
        container: registry.one(CONTAINER, `${name}-container`),
    };
}

/**
 * The gate's key, unwrapped, and whether it arrived secret: its secrets' digest is a Pulumi secret,
 * and Pulumi keeps the whole property that holds one secret.
 */
function keyOf(gate: Registered): { image: string; netns: string; spec: string; secrets: string; wasSecret: boolean } {
    const { value, secret } = unwrap<Record<string, string>>(gate.inputs.key);
    return { image: value.image!, netns: value.netns!, spec: value.spec!, secrets: value.secrets!, wasSecret: secret };
}

describe("StalwartMailbox's one-instance gate", () => {
    let gate: Registered;
    let container: Registered;
    beforeAll(async () => {
        ({ gate, container } = await build("mail"));
    });

    it("sits between the database and the container: after the one, before the other", () => {
        expect(gate.dependencies).toContain(
            registry.one("random:index/randomPassword:RandomPassword", "database-stand-in").urn,
        );
        expect(container.dependencies).toContain(gate.urn);
        expect(gate.parent).toBe(registry.one("tailwart:mailbox:StalwartMailbox", "mail").urn);
    });

    it("is replaced old-first, and the container's labels depend on it, so the engine deletes the container before the old gate", () => {
        expect(gate.deleteBeforeReplace).toBe(true);
        // a dependsOn edge alone would not: the cascade follows property dependencies whose change replaces
        expect(container.propertyDependencies.labels).toEqual([gate.urn]);
        expect(container.inputs.labels).toContainEqual({
            label: "tailwart.one-instance-gate",
            value: "mail-one-instance-id",
        });
        expect(container.replaceOnChanges).toContain("labels");
        expect(container.deleteBeforeReplace).toBe(true);
    });

    it("carries the key of everything that replaces the container: image id, netns owner, spec digest, secrets digest", () => {
        const key = keyOf(gate);
        expect(key.image).toBe(container.inputs.image);
        expect(`container:${key.netns}`).toBe(container.inputs.networkMode);
        expect(key.spec).toMatch(HEX64);
        expect(key.secrets).toMatch(HEX64);
        // the image resource feeds the key: a re-pull replaces the gate with the container
        expect(gate.propertyDependencies.key).toContain(
            registry.one("docker:index/remoteImage:RemoteImage", "mail-image").urn,
        );
    });

    it("looks where it is told, as the admin, and names the container it holds back", () => {
        expect(gate.inputs).toMatchObject({
            host: "pg.tail7b1641.ts.net",
            port: 5432,
            sslmode: "disable",
            role: "stalwart",
            adminUser: "postgres",
            drainTimeoutSeconds: 90,
            containerName: "stalwart",
            dockerHost: "ssh://deploy@mailbox.tail7b1641.ts.net",
        });
    });

    it("holds no secret in clear: the admin password and the key with the secrets' digest stay Pulumi secrets", () => {
        expect(isSecretValue(gate.inputs.adminPassword)).toBe(true);
        expect(keyOf(gate).wasSecret).toBe(true);
        for (const secret of [ADMIN_PASSWORD, DB_PASSWORD, "garage-secret-456"]) {
            expect(clearOccurrences(gate.inputs, secret), secret).toEqual([]);
            expect(clearOccurrences(container.inputs.labels, secret), secret).toEqual([]);
        }
    });

    it("waits 120 s by default", async () => {
        const { drainTimeoutSeconds: _, ...rest } = oneInstance();
        const { gate: g } = await build("defaulted", { oneInstance: rest });
        expect(g.inputs.drainTimeoutSeconds).toBe(120);
    });
});

describe("the gate's key changes with exactly what replaces the container", () => {
    let base: ReturnType<typeof keyOf>;
    beforeAll(async () => {
        base = keyOf((await build("key-base")).gate);
    });
    const changed = (k: ReturnType<typeof keyOf>) =>
        (["image", "netns", "spec", "secrets"] as const).filter((part) => k[part] !== base[part]);

    it("not at all for the same container", async () => {
        expect(changed(keyOf((await build("key-same")).gate))).toEqual([]);
    });

    it("in the secrets' digest when a secret the env names rotates", async () => {
        const secrets = {
            postgresPassword: pulumi.secret("rotated-pass"),
            garageAccessKeyId: pulumi.output("GK-access-id"),
            garageSecretAccessKey: pulumi.secret("garage-secret-456"),
        };
        expect(changed(keyOf((await build("key-secret", { secrets })).gate))).toEqual(["secrets"]);
    });

    it("in the spec's digest when the container's settings change", async () => {
        const p = plan((r) => (r.stalwart.publicUrl = "https://webmail.infinidim.net"));
        expect(changed(keyOf((await build("key-spec", {}, p)).gate))).toEqual(["spec"]);
    });

    it("in the netns part with a new sidecar, and in the image part with another image", async () => {
        expect(
            changed(
                keyOf((await build("key-netns", { sidecarContainerId: pulumi.output("sidecar-container-id-2") })).gate),
            ),
        ).toEqual(["netns"]);
        const p = plan((r) => (r.stalwart.image = "stalwartlabs/stalwart:v0.16.19"));
        // the image reference is in the spec too; the id is what a re-pull of the same tag changes
        expect(changed(keyOf((await build("key-image", {}, p)).gate))).toEqual(["image", "spec"]);
    });
});
