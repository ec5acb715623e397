/**
 * edge.smtp-banner against a local TCP server standing in for the edge's port 25 (the fake network
 * maps <hostname>:25 to it): Stalwart's 220 greeting passes; a closed connection, a refusal, a
 * wrong greeting or silence fail, and a silent peer's socket is closed when the check's time is up.
 */
import type { Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fakeNetwork, HOSTNAME, run, target, tcpServer } from "./support";

const EDGE_IP = "203.0.113.25";
let server: Awaited<ReturnType<typeof tcpServer>> | undefined;
afterEach(async () => server?.close());

async function bannerWith(onConnection: (s: Socket) => void, timeoutMs = 5_000) {
    server = await tcpServer(onConnection);
    const net = fakeNetwork({ hosts: { [HOSTNAME]: [EDGE_IP] }, ports: { [`${HOSTNAME}:25`]: server.port } });
    return (await run(target(undefined), net, ["edge.smtp-banner"], { timeoutMs }))["edge.smtp-banner"]!;
}

describe("edge.smtp-banner", () => {
    it("passes on Stalwart's 220 greeting (continuation lines included) and says QUIT", async () => {
        let received = "";
        const r = await bannerWith((s) => {
            s.on("data", (d) => (received += d.toString()));
            s.write("220-mail.example.org ESMTP\r\n220 mail.example.org Stalwart ESMTP at your service\r\n");
        });
        expect(r).toMatchObject({
            status: "ok",
            detail: `${HOSTNAME}:25 (${EDGE_IP}) answers with Stalwart's banner: 220-mail.example.org ESMTP / 220 mail.example.org Stalwart ESMTP at your service`,
        });
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(received).toBe("QUIT\r\n");
    });

    it("fails when the edge closes at once (no upstream, or Stalwart refused the PROXY header)", async () => {
        const r = await bannerWith((s) => s.end());
        expect(r.status).toBe("fail");
        expect(r.detail).toBe(`${HOSTNAME}:25: the connection was closed before anything was sent`);
        expect(r.fix).toMatch(/forward :25 to ts-stalwart\.tail7b1641\.ts\.net:25 with PROXY v2/);
    });

    it("fails on a greeting other than 220", async () => {
        const r = await bannerWith((s) => s.write("554 5.7.1 no service\r\n"));
        expect(r).toMatchObject({
            status: "fail",
            detail: `${HOSTNAME}:25 answered "554 5.7.1 no service", not a 220 greeting`,
        });
    });

    it("fails when nothing is said before the deadline, and lets go of the connection", async () => {
        let closed = false;
        const r = await bannerWith((s) => s.on("close", () => (closed = true)), 300);
        expect(r).toMatchObject({ status: "fail", detail: "no result within 0.3 s" });
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(closed).toBe(true);
    });

    it("fails when the port refuses, and when the hostname does not resolve", async () => {
        server = await tcpServer(() => undefined);
        const port = server.port;
        await server.close();
        server = undefined;
        const refused = fakeNetwork({ hosts: { [HOSTNAME]: [EDGE_IP] }, ports: { [`${HOSTNAME}:25`]: port } });
        const r = (await run(target(undefined), refused, ["edge.smtp-banner"]))["edge.smtp-banner"]!;
        expect(r).toMatchObject({
            status: "fail",
            detail: `${HOSTNAME}:25: connection refused: nothing listens there`,
        });
        expect(r.fix).toMatch(/open port 25 in the edge host's firewall/);
        const unresolved = (await run(target(undefined), fakeNetwork(), ["edge.smtp-banner"]))["edge.smtp-banner"]!;
        expect(unresolved).toMatchObject({ status: "fail", detail: `${HOSTNAME} does not resolve (ENOTFOUND)` });
    });
});
