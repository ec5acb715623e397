import * as path from "node:path";
import type * as docker from "@pulumi/docker";
import { beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../components/plan";
import { installMocks, type Registry, settle, resolved } from "./harness";

type Mod = typeof import("../../components/deploy/edge");
let registry: Registry;
let mod: Mod;
let plan: (edit?: (r: Record<string, any>) => void) => Plan;
let edgeDocker: docker.Provider;

beforeAll(async () => {
    registry = await installMocks({ stack: "dev" });
    mod = await import("../../components/deploy/edge");
    const Docker = await import("@pulumi/docker");
    const { buildPlan } = await import("../../components/plan");
    const { parseSettings } = await import("../../components/config");
    const { validRaw } = await import("../support/stackConfig");
    plan = (edit) => {
        const raw = validRaw();
        edit?.(raw);
        return buildPlan(parseSettings(raw, "dev"));
    };
    edgeDocker = new Docker.Provider("edge-docker", { host: "ssh://deploy@edge.infinidim.net" });
});

function build(name: string, p: Plan) {
    return new mod.CaddyL4Edge(name, {
        container: p.edge.caddy,
        image: p.edge.image,
        volumes: p.edge.volumes,
        caddyJson: p.edge.caddyJson,
        dockerProvider: edgeDocker,
        projectRoot: "/srv/tailwart",
    });
}

describe("CaddyL4Edge building its image", () => {
    let p: Plan;
    let edge: InstanceType<Mod["CaddyL4Edge"]>;
    beforeAll(async () => {
        p = plan();
        edge = build("edge", p);
        await resolved(edge.containerName);
        await settle(registry);
    });
    const container = () => registry.one("docker:index/container:Container", "edge-container");

    it("builds caddy/ on the edge host without pushing, and runs that build by id", () => {
        const image = registry.one("docker:index/image:Image", "edge-image");
        expect(p.edge.image.kind).toBe("build");
        expect(image.inputs).toMatchObject({
            imageName: p.edge.image.name,
            skipPush: true,
            build: { context: "/srv/tailwart/caddy", dockerfile: "/srv/tailwart/caddy/Dockerfile" },
        });
        expect(image.inputs.build.args).toMatchObject({
            CADDY_VERSION: expect.any(String),
            CADDY_L4_VERSION: expect.any(String),
        });
        expect(container().inputs.image).toBe(`sha256:built-${p.edge.image.name}`);
        expect(
            registry.ofType("docker:index/remoteImage:RemoteImage").filter((r) => r.name.startsWith("edge-")),
        ).toEqual([]);
    });

    it("publishes exactly the plan's ports, here and nowhere else", () => {
        expect(container().inputs.ports).toEqual(
            [25, 143, 443, 465, 587, 993].map((n) => ({ internal: n, external: n, protocol: "tcp" })),
        );
        expect(container().inputs).not.toHaveProperty("networkMode");
    });

    it("uploads caddy.json and outputs it", async () => {
        expect(container().inputs.uploads).toContainEqual(
            expect.objectContaining({ file: "/etc/caddy/caddy.json", content: p.edge.caddyJson }),
        );
        expect(await resolved(edge.caddyJson)).toBe(p.edge.caddyJson);
    });

    it("creates container, image and volume with the edge host's provider; the data volume is not retained", () => {
        const provider = registry.one("pulumi:providers:docker", "edge-docker");
        const vol = registry.one("docker:index/volume:Volume", "edge-caddy-l4-data");
        expect(vol.retainOnDelete).toBe(false);
        for (const r of [container(), vol, registry.one("docker:index/image:Image", "edge-image")]) {
            expect(registry.providerOf(r)?.urn, r.name).toBe(provider.urn);
            expect(registry.byUrn(r.parent)?.type, r.name).toBe("tailwart:edge:CaddyL4Edge");
        }
        expect(container().deleteBeforeReplace).toBe(true);
    });

    it("outputs the container name", async () => {
        expect(await resolved(edge.containerName)).toBe("caddy-l4");
    });
});

describe("CaddyL4Edge with a prebuilt image", () => {
    it("pulls the given image on the edge host and builds nothing", async () => {
        const p = plan((r) => {
            r.edge.image = "ghcr.io/example/caddy-l4:2.11.4";
            r.edge.containerName = "caddy-pre";
            r.edge.dataVolume = "caddy-pre-data";
        });
        await resolved(build("pre", p).containerName);
        await settle(registry);
        const pulled = registry.one("docker:index/remoteImage:RemoteImage", "pre-image");
        expect(pulled.inputs).toMatchObject({ name: "ghcr.io/example/caddy-l4:2.11.4", keepLocally: true });
        expect(registry.providerOf(pulled)?.name).toBe("edge-docker");
        expect(registry.one("docker:index/container:Container", "pre-container").inputs.image).toBe(
            "sha256:pulled-ghcr.io/example/caddy-l4:2.11.4",
        );
        expect(registry.ofType("docker:index/image:Image").map((r) => r.name)).not.toContain("pre-image");
    });
});

it("resolves the build context against the working directory by default", async () => {
    const p = plan((r) => {
        r.edge.containerName = "caddy-cwd";
        r.edge.dataVolume = "caddy-cwd-data";
    });
    const e = new mod.CaddyL4Edge("cwd", {
        container: p.edge.caddy,
        image: p.edge.image,
        volumes: p.edge.volumes,
        caddyJson: p.edge.caddyJson,
        dockerProvider: edgeDocker,
    });
    await resolved(e.containerName);
    await settle(registry);
    expect(registry.one("docker:index/image:Image", "cwd-image").inputs.build.context).toBe(
        path.resolve(process.cwd(), "caddy"),
    );
});
