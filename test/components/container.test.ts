import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { containerArgs, labelsOf } from "../../components/deploy/container";
import type { ContainerSpec } from "../../components/plan/spec";
import { resolved } from "./harness";

function spec(over: Partial<ContainerSpec> = {}): ContainerSpec {
    return {
        host: "mailbox",
        name: "app",
        image: "example/app:1.2.3",
        command: ["app", "--serve"],
        env: { ZED: "last", ALPHA: "first", TOKEN: { secret: "apiToken" } },
        ports: [],
        mounts: [
            { volume: "app-data", containerPath: "/data" },
            { volume: "app-conf", containerPath: "/conf", readOnly: true },
        ],
        files: [
            { containerPath: "/etc/app.json", content: '{"a":1}', mode: 0o444 },
            { containerPath: "/etc/plain", content: "x" },
        ],
        capabilities: ["NET_ADMIN"],
        devices: [{ hostPath: "/dev/net/tun", containerPath: "/dev/net/tun" }],
        healthcheck: {
            test: ["CMD", "true"],
            intervalSeconds: 15,
            timeoutSeconds: 5,
            startPeriodSeconds: 30,
            retries: 3,
        },
        restart: "unless-stopped",
        labels: { "z.label": "2", "a.label": "1" },
        ...over,
    };
}

const secrets = { apiToken: "s3cret-token" };

describe("containerArgs", () => {
    it("maps the spec's fields onto docker.ContainerArgs", () => {
        const a = containerArgs(spec(), secrets);
        expect(a.name).toBe("app");
        expect(a.image).toBe("example/app:1.2.3");
        expect(a.command).toEqual(["app", "--serve"]);
        expect(a.mounts).toEqual([
            { type: "volume", source: "app-data", target: "/data", readOnly: false },
            { type: "volume", source: "app-conf", target: "/conf", readOnly: true },
        ]);
        expect(a.uploads).toEqual([
            { file: "/etc/app.json", content: '{"a":1}', permissions: "0444" },
            { file: "/etc/plain", content: "x" },
        ]);
        expect(a.capabilities).toEqual({ adds: ["NET_ADMIN"] });
        expect(a.devices).toEqual([{ hostPath: "/dev/net/tun", containerPath: "/dev/net/tun" }]);
        expect(a.healthcheck).toEqual({
            tests: ["CMD", "true"],
            interval: "15s",
            timeout: "5s",
            startPeriod: "30s",
            retries: 3,
        });
        expect(a.restart).toBe("unless-stopped");
        expect(a.labels).toEqual([
            { label: "a.label", value: "1" },
            { label: "z.label", value: "2" },
        ]);
    });

    it("leaves out what the spec doesn't set: ports, network mode, hostname, capabilities, devices, healthcheck, command", () => {
        const a = containerArgs(
            spec({ command: undefined, capabilities: [], devices: [], healthcheck: undefined }),
            secrets,
        );
        for (const key of ["ports", "networkMode", "hostname", "capabilities", "devices", "healthcheck", "command"]) {
            expect(a, key).not.toHaveProperty(key);
        }
    });

    it("publishes ports only when the spec has them", () => {
        const a = containerArgs(
            spec({ host: "edge", ports: [{ internal: 25, external: 25, protocol: "tcp" }] }),
            secrets,
        );
        expect(a.ports).toEqual([{ internal: 25, external: 25, protocol: "tcp" }]);
    });

    it("passes the network mode and hostname through", () => {
        expect(containerArgs(spec({ networkMode: "container:ts-stalwart" }), secrets).networkMode).toBe(
            "container:ts-stalwart",
        );
        expect(containerArgs(spec({ hostname: "ts-stalwart" }), secrets).hostname).toBe("ts-stalwart");
    });

    it("sets resolvers only when the spec names them, and never on a container that shares a netns", () => {
        expect(containerArgs(spec({ host: "edge", dns: ["100.100.100.100"] }), secrets).dns).toEqual([
            "100.100.100.100",
        ]);
        expect("dns" in containerArgs(spec(), secrets)).toBe(false);
        expect(() =>
            containerArgs(spec({ networkMode: "container:ts-stalwart", dns: ["100.100.100.100"] }), secrets),
        ).toThrow(/must not set dns/);
    });

    it("resolves SecretRefs to Pulumi secrets, sorted by name with the plain lines", async () => {
        const envs = containerArgs(spec(), secrets).envs as pulumi.Input<string>[];
        expect(envs).toHaveLength(3);
        expect(envs[0]).toBe("ALPHA=first");
        const token = envs[1] as pulumi.Output<string>;
        expect(pulumi.Output.isInstance(token)).toBe(true);
        expect(await resolved(token)).toBe("TOKEN=s3cret-token");
        expect(await pulumi.isSecret(token)).toBe(true);
        expect(envs[2]).toBe("ZED=last");
    });

    it("makes a supplied clear string secret too", async () => {
        const envs = containerArgs(spec({ env: { K: { secret: "k" } } }), { k: pulumi.output("plain") })
            .envs as pulumi.Output<string>[];
        expect(await pulumi.isSecret(envs[0]!)).toBe(true);
    });

    it("names the missing secret and the variable that needs it", () => {
        expect(() => containerArgs(spec(), {})).toThrow(
            /container app: env TOKEN needs secret "apiToken", which was not supplied \(supplied: none\)/,
        );
        expect(() => containerArgs(spec(), { other: "x" })).toThrow(/supplied: other/);
    });

    it("refuses ports or a hostname on a container sharing another's network namespace", () => {
        const shared = { networkMode: "container:ts-stalwart" };
        expect(() =>
            containerArgs(spec({ ...shared, ports: [{ internal: 25, external: 25, protocol: "tcp" }] }), secrets),
        ).toThrow(/must not set ports/);
        expect(() => containerArgs(spec({ ...shared, hostname: "mail" }), secrets)).toThrow(/must not set hostname/);
    });

    it("labelsOf sorts and accepts Outputs as values", async () => {
        const labels = labelsOf({ b: pulumi.output("2"), a: "1" });
        expect(labels.map((l) => l.label)).toEqual(["a", "b"]);
        expect(await resolved(labels[1]!.value as pulumi.Output<string>)).toBe("2");
    });
});
