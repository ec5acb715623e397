import { describe, expect, it } from "vitest";
import { renderCaddyJson } from "../../components/plan/caddyJson";
import { type EdgeSpecInput, edgeSpec } from "../../components/plan/edgeSpec";

const PORTS = [25, 465, 587, 143, 993];
const caddyJson = renderCaddyJson({ upstreamHost: "ts-stalwart.tail7b1641.ts.net", ports: PORTS, proxyProtocol: "v2" });
const input: EdgeSpecInput = {
    containerName: "tailwart-edge",
    image: "tailwart-caddy:2.11.4-l4-0.1.2",
    ports: PORTS,
    caddyJson,
    dataVolume: "tailwart-edge-data",
};

describe("edgeSpec", () => {
    it("publishes every port as tcp, host port = container port", () => {
        const spec = edgeSpec(input);
        expect(spec.host).toBe("edge");
        expect(spec.ports).toEqual(
            [25, 143, 465, 587, 993].map((p) => ({ internal: p, external: p, protocol: "tcp" })),
        );
    });

    it("runs caddy on the uploaded caddy.json with /data on the named volume", () => {
        const spec = edgeSpec(input);
        expect(spec.command).toEqual(["caddy", "run", "--config", "/etc/caddy/caddy.json"]);
        expect(spec.files).toEqual([{ containerPath: "/etc/caddy/caddy.json", content: caddyJson, mode: 0o444 }]);
        expect(spec.mounts).toEqual([{ volume: "tailwart-edge-data", containerPath: "/data" }]);
        expect(spec.restart).toBe("unless-stopped");
        expect(spec.env).toEqual({});
        expect(spec.networkMode).toBeUndefined();
    });

    it("points the container at the given resolvers (MagicDNS for the upstream name), else Docker's default", () => {
        expect(edgeSpec({ ...input, dns: ["100.100.100.100"] }).dns).toEqual(["100.100.100.100"]);
        expect(edgeSpec(input).dns).toBeUndefined();
    });

    it("checks health on the loopback admin API, never through a mail port", () => {
        const spec = edgeSpec(input);
        expect(spec.healthcheck?.test).toEqual([
            "CMD",
            "wget",
            "-q",
            "-O",
            "/dev/null",
            "http://127.0.0.1:2019/config/",
        ]);
    });
});
