// Container rules of the policy pack (policy/rules/containers.ts), on inputs shaped as the docker
// provider receives them from components/deploy/container.ts.
import { describe, expect, it } from "vitest";
import { isStalwartContainer, namedVolumeViolations, stalwartIsolationViolations } from "../../policy/rules/containers";
import type { ResourceView } from "../../policy/rules/resource";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function container(props: Record<string, unknown>, name = "mx-stalwart-container"): ResourceView {
    return { type: "docker:index/container:Container", name, props };
}

const stalwart = (extra: Record<string, unknown> = {}) =>
    container({
        name: "stalwart",
        image: UNKNOWN,
        networkMode: "container:ts-stalwart",
        mounts: [{ type: "volume", source: "stalwart-data", target: "/var/lib/stalwart", readOnly: false }],
        labels: [
            { label: "tailwart.netns-owner-id", value: UNKNOWN },
            { label: "tailwart.role", value: "stalwart" },
        ],
        ...extra,
    });

describe("stalwart-container-isolated", () => {
    it("passes the Stalwart container as the mailbox component builds it", () => {
        expect(stalwartIsolationViolations(stalwart())).toEqual([]);
    });

    it("fails a Stalwart container that publishes ports, has a hostname or its own network", () => {
        expect(stalwartIsolationViolations(stalwart({ ports: [{ internal: 25, external: 25 }] }))).toEqual([
            expect.stringMatching(/publishes 1 port/),
        ]);
        expect(stalwartIsolationViolations(stalwart({ publishAllPorts: true }))).toEqual([
            expect.stringMatching(/publishAllPorts/),
        ]);
        expect(stalwartIsolationViolations(stalwart({ hostname: "mail" }))).toEqual([
            expect.stringMatching(/hostname "mail"/),
        ]);
        expect(stalwartIsolationViolations(stalwart({ networkMode: "bridge" }))).toEqual([
            expect.stringMatching(/networkMode "bridge".*container:<sidecar>/),
        ]);
        expect(stalwartIsolationViolations(stalwart({ networkMode: undefined }))).toEqual([
            expect.stringMatching(/bridge \(default\)/),
        ]);
        expect(stalwartIsolationViolations(stalwart({ networksAdvanced: [{ name: "mail" }] }))).toEqual([
            expect.stringMatching(/networksAdvanced/),
        ]);
    });

    it("recognizes Stalwart by its image when the role label is missing, and leaves other containers alone", () => {
        const byImage = container({ image: "stalwartlabs/stalwart:v0.16.18", ports: [{ internal: 8080 }] }, "mine");
        expect(isStalwartContainer(byImage)).toBe(true);
        expect(stalwartIsolationViolations(byImage)).toHaveLength(2);
        const edge = container({
            image: "tailwart/caddy-l4:2.11.4-l4-v0.1.2",
            ports: [{ internal: 25, external: 25 }],
            labels: [{ label: "tailwart.role", value: "edge" }],
        });
        expect(isStalwartContainer(edge)).toBe(false);
        expect(stalwartIsolationViolations(edge)).toEqual([]);
    });

    it("waits for a networkMode the preview cannot know yet", () => {
        expect(stalwartIsolationViolations(stalwart({ networkMode: UNKNOWN }))).toEqual([]);
    });
});

describe("named-volumes-only", () => {
    it("passes containers whose mounts are named volumes", () => {
        expect(namedVolumeViolations(stalwart())).toEqual([]);
        expect(
            namedVolumeViolations(container({ volumes: [{ volumeName: "caddy-l4-data", containerPath: "/data" }] })),
        ).toEqual([]);
    });

    it("fails bind mounts, anonymous volumes, tmpfs and borrowed volumes", () => {
        const bad = container({
            mounts: [
                { type: "bind", source: "/srv/mail", target: "/var/lib/stalwart" },
                { type: "volume", target: "/etc/stalwart" },
                { type: "tmpfs", target: "/tmp" },
            ],
            volumes: [
                { hostPath: "/opt/caddy", containerPath: "/data" },
                { containerPath: "/config" },
                { fromContainer: "old-caddy" },
            ],
        });
        const found = namedVolumeViolations(bad);
        expect(found).toHaveLength(6);
        expect(found[0]).toMatch(/bind-mounts "\/srv\/mail" at "\/var\/lib\/stalwart".*named docker volume/);
        expect(found[1]).toMatch(/anonymous volume at "\/etc\/stalwart"/);
        expect(found[2]).toMatch(/"tmpfs"/);
        expect(found[3]).toMatch(/bind-mounts "\/opt\/caddy"/);
        expect(found[4]).toMatch(/anonymous volume at "\/config"/);
        expect(found[5]).toMatch(/volumes of container "old-caddy"/);
    });

    it("ignores other resource types", () => {
        expect(
            namedVolumeViolations({
                type: "docker:index/volume:Volume",
                name: "v",
                props: { mounts: [{ type: "bind" }] },
            }),
        ).toEqual([]);
    });
});
