// Edge and image rules of the policy pack (policy/rules/edge.ts, policy/rules/images.ts).
import { describe, expect, it } from "vitest";
import { renderCaddyJson } from "../../components/plan/caddyJson";
import { caddyJsonProblems, edgeProxyV2Violations } from "../../policy/rules/edge";
import { imagePinProblem, imagePinViolations } from "../../policy/rules/images";
import type { ResourceView } from "../../policy/rules/resource";

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const caddyJson = (proxyProtocol: "v1" | "v2") =>
    renderCaddyJson({ upstreamHost: "ts-stalwart.tail7b1641.ts.net", ports: [25, 465, 993], proxyProtocol });

function edge(uploads: unknown[]): ResourceView {
    return {
        type: "docker:index/container:Container",
        name: "mx-edge-container",
        props: { name: "caddy-l4", uploads, labels: [{ label: "tailwart.role", value: "edge" }] },
    };
}

describe("edge-proxy-protocol-v2", () => {
    it("passes the caddy.json the project renders", () => {
        expect(edgeProxyV2Violations(edge([{ file: "/etc/caddy/caddy.json", content: caddyJson("v2") }]))).toEqual([]);
        const b64 = Buffer.from(caddyJson("v2")).toString("base64");
        expect(edgeProxyV2Violations(edge([{ file: "/etc/caddy/caddy.json", contentBase64: b64 }]))).toEqual([]);
    });

    it("fails PROXY v1, a server without PROXY, a server without a proxy handler, and no caddy.json at all", () => {
        const v1 = edgeProxyV2Violations(edge([{ file: "/etc/caddy/caddy.json", content: caddyJson("v1") }]));
        expect(v1).toHaveLength(3);
        expect(v1[0]).toMatch(/server smtp proxies with proxy_protocol "v1".*"proxy_protocol": "v2"/);
        const doc = JSON.parse(caddyJson("v2"));
        delete doc.apps.layer4.servers.smtp.routes[0].handle[0].proxy_protocol;
        doc.apps.layer4.servers.imaps.routes = [{ handle: [{ handler: "tls" }] }];
        expect(caddyJsonProblems(JSON.stringify(doc))).toEqual([
            `server smtp proxies with proxy_protocol "unset"`,
            "server imaps has no proxy handler",
        ]);
        expect(caddyJsonProblems(JSON.stringify({ apps: { http: {} } }))).toEqual(["has no apps.layer4.servers"]);
        expect(caddyJsonProblems("{")[0]).toMatch(/is not valid JSON/);
        expect(edgeProxyV2Violations(edge([]))).toEqual([expect.stringMatching(/uploads no caddy.json/)]);
    });

    it("checks PROXY handlers nested in a subroute", () => {
        const doc = {
            apps: {
                layer4: {
                    servers: {
                        smtp: {
                            routes: [
                                {
                                    handle: [
                                        {
                                            handler: "subroute",
                                            routes: [{ handle: [{ handler: "proxy", proxy_protocol: "v1" }] }],
                                        },
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
        };
        expect(caddyJsonProblems(JSON.stringify(doc))).toEqual([`server smtp proxies with proxy_protocol "v1"`]);
    });

    it("waits for a caddy.json the preview cannot know, and leaves containers without one alone", () => {
        expect(edgeProxyV2Violations(edge([{ file: "/etc/caddy/caddy.json", content: UNKNOWN }]))).toEqual([]);
        expect(
            edgeProxyV2Violations({ type: "docker:index/container:Container", name: "ts", props: { uploads: [] } }),
        ).toEqual([]);
    });
});

describe("images-pinned", () => {
    it("passes release tags and digests", () => {
        for (const ref of [
            "stalwartlabs/stalwart:v0.16.18",
            "stalwartlabs/stalwart:v0.16",
            "tailscale/tailscale:v1.90.6",
            "tailwart/caddy-l4:2.11.4-l4-v0.1.2",
            "registry.local:5000/caddy:2.11.4",
            `caddy:latest@sha256:${"a".repeat(64)}`,
        ]) {
            expect(imagePinProblem(ref), ref).toBeUndefined();
        }
    });

    it("fails missing tags, moving tags, pre-releases and bare majors", () => {
        const problems = Object.fromEntries(
            [
                "stalwartlabs/stalwart",
                "registry.local:5000/caddy",
                "caddy:latest",
                "stalwart:v0.16-latest",
                "stalwart:v0.16.0-rc1",
                "stalwart:v0.16.0-rc.2",
                "caddy:2.11.0-beta.1",
                "tailscale:v1",
                "caddy:2",
                "caddy:stable",
            ].map((r) => [r, imagePinProblem(r)]),
        );
        expect(problems).toEqual({
            "stalwartlabs/stalwart": "has no tag, so Docker pulls `latest`",
            "registry.local:5000/caddy": "has no tag, so Docker pulls `latest`",
            "caddy:latest": 'uses the moving tag "latest"',
            "stalwart:v0.16-latest": 'uses the moving tag "v0.16-latest"',
            "stalwart:v0.16.0-rc1": 'uses the pre-release tag "v0.16.0-rc1"',
            "stalwart:v0.16.0-rc.2": 'uses the pre-release tag "v0.16.0-rc.2"',
            "caddy:2.11.0-beta.1": 'uses the pre-release tag "2.11.0-beta.1"',
            "tailscale:v1": 'uses the bare major tag "v1", which moves with every release',
            "caddy:2": 'uses the bare major tag "2", which moves with every release',
            "caddy:stable": 'uses the moving tag "stable"',
        });
    });

    it("reads the reference each docker resource names, skipping image ids and unknowns", () => {
        const pulled: ResourceView = {
            type: "docker:index/remoteImage:RemoteImage",
            name: "mx-stalwart-image",
            props: { name: "stalwartlabs/stalwart:latest" },
        };
        expect(imagePinViolations(pulled)).toEqual([
            expect.stringMatching(
                /^mx-stalwart-image name "stalwartlabs\/stalwart:latest" uses the moving tag "latest"; pin a release tag/,
            ),
        ]);
        expect(
            imagePinViolations({
                type: "docker:index/image:Image",
                name: "b",
                props: { imageName: "tailwart/caddy-l4" },
            }),
        ).toEqual([expect.stringMatching(/imageName .* has no tag/)]);
        expect(
            imagePinViolations({ type: "docker:index/container:Container", name: "c", props: { image: "caddy:2" } }),
        ).toHaveLength(1);
        expect(
            imagePinViolations({
                type: "docker:index/container:Container",
                name: "c",
                props: { image: `sha256:${"b".repeat(64)}` },
            }),
        ).toEqual([]);
        expect(
            imagePinViolations({ type: "docker:index/container:Container", name: "c", props: { image: UNKNOWN } }),
        ).toEqual([]);
        expect(imagePinViolations({ ...pulled, props: { name: "stalwartlabs/stalwart:v0.16.18" } })).toEqual([]);
    });
});
