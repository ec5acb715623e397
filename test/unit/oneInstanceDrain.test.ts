// The gate's wait on a fake clock: the backoff schedule, the bound, and what the blocked message
// says for each kind of address (the real-server behaviour is test/provider/oneInstanceGate.grpc.test.ts).
import { describe, expect, it } from "vitest";
import type { RoleSessions } from "../../components/backends/postgresSessions";
import {
    blockedMessage,
    DRAIN_BACKOFF,
    type DrainClock,
    waitForDrain,
} from "../../components/deploy/oneInstanceGate/drain";

function fakeClock(): DrainClock & { polls: number[]; t: number } {
    const clock = {
        t: 0,
        polls: [] as number[],
        now: () => clock.t,
        sleep: async (ms: number) => {
            clock.t += ms;
        },
    };
    return clock;
}

const row = (addr: string, n = 1, hidden = false): RoleSessions => ({ addr, n, hidden });
const TARGET = {
    host: "pg.tail7b1641.ts.net",
    port: 5432,
    role: "stalwart",
    adminUser: "postgres",
    containerName: "stalwart",
    dockerHost: "ssh://deploy@mailbox.tail7b1641.ts.net",
};

describe("waitForDrain", () => {
    it("backs off from half a second, doubling up to 10 s, and polls last exactly at the deadline", async () => {
        const clock = fakeClock();
        const result = await waitForDrain(
            async () => {
                clock.polls.push(clock.t);
                return [row("100.64.0.7")];
            },
            { timeoutMs: 30_000, ...DRAIN_BACKOFF },
            clock,
        );
        expect(clock.polls).toEqual([0, 500, 1_500, 3_500, 7_500, 15_500, 25_500, 30_000]);
        expect(result).toEqual({
            drained: false,
            waitedMs: 30_000,
            polls: 8,
            seen: ["100.64.0.7"],
            left: [row("100.64.0.7")],
        });
    });

    it("opens at the first poll that sees no session, remembering what drained", async () => {
        const clock = fakeClock();
        const answers = [[row("100.64.0.7", 3), row("100.64.0.9")], [row("100.64.0.9")], []];
        const result = await waitForDrain(
            async () => answers.shift()!,
            { timeoutMs: 120_000, ...DRAIN_BACKOFF },
            clock,
        );
        expect(result).toEqual({
            drained: true,
            waitedMs: 1_500,
            polls: 3,
            seen: ["100.64.0.7", "100.64.0.9"],
            left: [],
        });
    });

    it("with no time allowed, polls once", async () => {
        const clock = fakeClock();
        const result = await waitForDrain(async () => [row("local socket")], { timeoutMs: 0, ...DRAIN_BACKOFF }, clock);
        expect(result.polls).toBe(1);
        expect(result.drained).toBe(false);
    });
});

describe("blockedMessage", () => {
    const blocked = (left: RoleSessions[]) =>
        blockedMessage(
            TARGET,
            { drained: false, waitedMs: 120_000, polls: 14, seen: left.map((r) => r.addr), left },
            120,
        );

    it("names every address with its sessions, the bound, the container held back, and how to stop it", () => {
        const text = blocked([row("100.64.0.7", 2), row("100.64.0.9")]);
        expect(text).toContain(
            "3 connections as stalwart on pg.tail7b1641.ts.net:5432 still come from 100.64.0.7 (2), 100.64.0.9 (1) after 120 s, so stalwart was not started",
        );
        expect(text).toContain("`docker -H ssh://deploy@mailbox.tail7b1641.ts.net stop stalwart`");
        expect(text).toContain(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'stalwart' AND client_addr = '100.64.0.9';",
        );
        expect(text).toContain("docs/runbooks/recovery.md");
    });

    it("ends a local-socket session by its missing address, and asks for the grant when some are hidden", () => {
        expect(blocked([row("local socket")])).toContain("AND client_addr is null;");
        const hidden = blocked([row("hidden", 2, true)]);
        expect(hidden).toContain("GRANT pg_read_all_stats TO postgres;");
        expect(hidden).not.toContain("pg_terminate_backend");
    });

    it("quotes a role name for the SQL it suggests", () => {
        const text = blockedMessage(
            { ...TARGET, role: "it's" },
            { drained: false, waitedMs: 0, polls: 1, seen: ["::1"], left: [row("::1")] },
            0,
        );
        expect(text).toContain("usename = 'it''s' AND client_addr = '::1';");
    });
});
