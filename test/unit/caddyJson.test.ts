import { describe, expect, it } from "vitest";
import { type CaddyL4Input, caddyConfig, renderCaddyJson, serverName } from "../../components/plan/caddyJson";

const MAIL_PORTS = [25, 465, 587, 143, 993];
const input: CaddyL4Input = { upstreamHost: "ts-stalwart.tail7b1641.ts.net", ports: MAIL_PORTS, proxyProtocol: "v2" };

type L4Server = { listen: string[]; routes: { handle: Record<string, unknown>[] }[] };
const serversOf = (doc: Record<string, unknown>) =>
    (doc as { apps: { layer4: { servers: Record<string, L4Server> } } }).apps.layer4.servers;

describe("caddyConfig", () => {
    it("has one layer4 server per port, named after the mail protocol", () => {
        const servers = serversOf(caddyConfig(input));
        expect(Object.keys(servers)).toEqual(["smtp", "imap", "submissions", "submission", "imaps"]);
        expect(servers["smtp"]!.listen).toEqual([":25"]);
        expect(servers["imaps"]!.listen).toEqual([":993"]);
    });

    it("proxies every port to the same port upstream with the PROXY header, and nothing else", () => {
        const servers = serversOf(caddyConfig(input));
        for (const port of MAIL_PORTS) {
            expect(servers[serverName(port)]).toEqual({
                listen: [`:${port}`],
                routes: [
                    {
                        handle: [
                            {
                                handler: "proxy",
                                proxy_protocol: "v2",
                                upstreams: [{ dial: [`ts-stalwart.tail7b1641.ts.net:${port}`] }],
                            },
                        ],
                    },
                ],
            });
        }
    });

    it("has no http app and no tls handler: Stalwart terminates TLS", () => {
        const doc = caddyConfig(input);
        expect(Object.keys(doc["apps"] as object)).toEqual(["layer4"]);
        expect(JSON.stringify(doc)).not.toMatch(/"handler":"tls"|"http"/);
    });

    it("keeps the admin API on loopback and autosave off", () => {
        expect(caddyConfig(input)["admin"]).toEqual({ listen: "localhost:2019", config: { persist: false } });
        expect(caddyConfig({ ...input, adminListen: "127.0.0.1:2020" })["admin"]).toMatchObject({
            listen: "127.0.0.1:2020",
        });
    });

    it("names each server for the Stalwart listener it feeds (topology.ts)", () => {
        expect(serverName(80)).toBe("acme-http");
        expect(serverName(443)).toBe("https");
        const servers = serversOf(caddyConfig({ ...input, ports: [80, 443, 4190] }));
        expect(Object.keys(servers)).toEqual(["acme-http", "https", "sieve"]);
        expect(servers["https"]!.routes[0]!.handle[0]).toMatchObject({ proxy_protocol: "v2" });
    });

    it("honours v1 and brackets an IPv6 upstream", () => {
        const handle = serversOf(caddyConfig({ upstreamHost: "fd7a:115c:a1e0::5", ports: [25], proxyProtocol: "v1" }))[
            "smtp"
        ]!.routes[0]!.handle[0]!;
        expect(handle).toMatchObject({ proxy_protocol: "v1", upstreams: [{ dial: ["[fd7a:115c:a1e0::5]:25"] }] });
    });

    it.each([
        [{ adminListen: "0.0.0.0:2019" }, /adminListen "0.0.0.0:2019" is not a loopback address/],
        [{ adminListen: ":2019" }, /is not "host:port"/],
    ] as [Partial<CaddyL4Input>, RegExp][])("keeps the admin API on loopback: refuses %j", (patch, message) => {
        expect(() => caddyConfig({ ...input, ...patch })).toThrow(message);
    });
});

describe("renderCaddyJson", () => {
    it("is 2-space JSON with a final newline, independent of port order", () => {
        const text = renderCaddyJson(input);
        expect(text.endsWith("}\n")).toBe(true);
        expect(JSON.parse(text)).toEqual(caddyConfig(input));
        expect(renderCaddyJson({ ...input, ports: [...MAIL_PORTS].reverse() })).toBe(text);
    });
});
