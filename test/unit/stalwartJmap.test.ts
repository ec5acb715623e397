// The JMAP client's re-send rules (components/stalwart/jmap.ts): what may be sent again after a
// failure (5xx and 429 always: the server did not process the calls), and what must not because a
// write may already have been applied (a dropped connection on a create without a natural key).
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { jmapRequest, type JmapOptions, type MethodCall } from "../../components/stalwart/jmap";

type Reply = { status: number; headers?: Record<string, string> } | "drop";
let server: Server;
let url: string;
let replies: Reply[] = [];
let received = 0;

beforeAll(async () => {
    server = createServer((req, res) => {
        req.resume();
        req.on("end", () => {
            received++;
            const reply = replies.shift() ?? { status: 200 };
            if (reply === "drop") {
                req.socket.destroy();
                return;
            }
            const ok = reply.status === 200;
            res.writeHead(reply.status, {
                "content-type": ok ? "application/json" : "application/problem+json",
                ...reply.headers,
            });
            res.end(
                JSON.stringify(
                    ok
                        ? {
                              methodResponses: [["x:Domain/set", { created: { c0: { id: "b" } } }, "s"]],
                              sessionState: "0",
                          }
                        : { type: "about:blank", detail: `status ${reply.status}` },
                ),
            );
        });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));
beforeEach(() => {
    replies = [];
    received = 0;
});

const calls: MethodCall[] = [["x:Domain/set", { create: { c0: { name: "a.test" } } }, "s"]];
const fast = { attempts: 3, baseDelayMs: 5, maxDelayMs: 10, timeoutMs: 2_000 };
const send = (options: JmapOptions = {}, to = url) =>
    jmapRequest({ url: to, authorization: "Bearer API_x", source: "test" }, calls, { retry: fast, ...options });
const create = { retryAfterDrop: false };

describe("a write that must not be repeated (retryAfterDrop: false)", () => {
    it("a server's own 5xx is re-sent: a JMAP server answering 5xx did not process the calls", async () => {
        for (const status of [500, 503]) {
            received = 0;
            replies = [{ status }];
            const r = await send(create);
            expect(received).toBe(2);
            expect(r).toMatchObject({
                retriedAfterDrop: false,
                responses: [["x:Domain/set", { created: { c0: { id: "b" } } }, "s"]],
            });
        }
        received = 0;
        replies = [{ status: 503, headers: { "retry-after": "0" } }, { status: 500 }, { status: 500 }];
        await expect(send(create)).rejects.toThrow(/HTTP 500 after 3 attempt\(s\): status 500/);
        expect(received).toBe(3);
    });

    it("a gateway's 502/504 is like a broken connection: not re-sent (dropped), unless a repeat is allowed", async () => {
        for (const status of [502, 504]) {
            received = 0;
            replies = [{ status }];
            await expect(send(create)).rejects.toMatchObject({
                dropped: true,
                message: expect.stringMatching(new RegExp(`proxy answered HTTP ${status} \\(not re-sent`)),
            });
            expect(received).toBe(1);
            received = 0;
            replies = [{ status }];
            expect(await send()).toMatchObject({ retriedAfterDrop: true });
            expect(received).toBe(2);
        }
    });

    it("429 is always re-sent and marks nothing as possibly applied", async () => {
        replies = [{ status: 429, headers: { "retry-after": "0" } }, { status: 429 }];
        const r = await send(create);
        expect(received).toBe(3);
        expect(r).toMatchObject({
            retriedAfterDrop: false,
            responses: [["x:Domain/set", { created: { c0: { id: "b" } } }, "s"]],
        });
    });

    it("a broken connection is not re-sent (the error says dropped); a refused one is (nothing was sent)", async () => {
        replies = ["drop"];
        const dropped = (await send(create).catch((e: Error) => e)) as Error & { dropped?: boolean };
        expect(String(dropped)).toMatch(
            /unreachable after 1 attempt\(s\): .*\(not re-sent: the write may have been applied\)$/,
        );
        expect(dropped.dropped).toBe(true);
        expect(received).toBe(1);
        const closed = createServer();
        await new Promise<void>((r) => closed.listen(0, "127.0.0.1", () => r()));
        const port = (closed.address() as AddressInfo).port;
        await new Promise((r) => closed.close(r));
        const err = (await send(create, `http://127.0.0.1:${port}`).catch((e: Error) => e)) as Error & {
            dropped?: boolean;
        };
        expect(String(err)).toMatch(/unreachable after 3 attempt\(s\): ECONNREFUSED$/);
        expect(err.dropped).toBe(false);
    });
});

describe("reads and repeatable writes (the default)", () => {
    it("5xx and broken connections are re-sent, and the result says an earlier attempt may have applied", async () => {
        replies = [{ status: 502 }, "drop"];
        const r = await send();
        expect(received).toBe(3);
        expect(r.retriedAfterDrop).toBe(true);
    });

    it("gives up after the bounded attempts with the last status", async () => {
        replies = [{ status: 500 }, { status: 500 }, { status: 500 }];
        await expect(send({ retryAfterDrop: true })).rejects.toThrow(/HTTP 500 after 3 attempt\(s\): status 500/);
        expect(received).toBe(3);
    });
});
