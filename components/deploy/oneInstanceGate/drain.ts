/**
 * The gate's wait, pure: poll the role's sessions until none is left or the time is up, backing off
 * between polls, and the message that names what was still connected. The provider supplies the poll
 * (a query over one admin connection) and the clock.
 */
import {
    FIND_STRAY_STALWART,
    grantStatsFix,
    type RoleSessions,
    sessionList,
    sessionTotal,
    terminateSessionsSql,
} from "../../backends/postgresSessions";

export interface DrainTiming {
    /** the longest the gate waits for the old instance's sessions to close */
    timeoutMs: number;
    /** the first pause between polls; each next one doubles, up to maxDelayMs */
    firstDelayMs: number;
    maxDelayMs: number;
}

/** Half a second first (a killed container's sessions close within a round trip), then 1, 2, 4, 8, 10, 10 … s. */
export const DRAIN_BACKOFF = { firstDelayMs: 500, maxDelayMs: 10_000 } as const;

export interface DrainClock {
    now(): number;
    sleep(ms: number): Promise<void>;
}

export const realClock: DrainClock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface DrainResult {
    /** no session as the role is left */
    drained: boolean;
    waitedMs: number;
    polls: number;
    /** every address seen during the wait, in order of first sighting */
    seen: string[];
    /** what the last poll still saw (empty once drained) */
    left: RoleSessions[];
}

/** Polls at once, then after each pause; the last poll falls exactly on the deadline, so the wait is bounded by it. */
export async function waitForDrain(
    poll: () => Promise<RoleSessions[]>,
    timing: DrainTiming,
    clock: DrainClock,
): Promise<DrainResult> {
    const start = clock.now();
    const seen: string[] = [];
    let delay = timing.firstDelayMs;
    for (let polls = 1; ; polls += 1) {
        const left = await poll();
        for (const r of left) if (!seen.includes(r.addr)) seen.push(r.addr);
        const waitedMs = clock.now() - start;
        const remaining = timing.timeoutMs - waitedMs;
        if (left.length === 0 || remaining <= 0) return { drained: left.length === 0, waitedMs, polls, seen, left };
        await clock.sleep(Math.min(delay, remaining));
        delay = Math.min(delay * 2, timing.maxDelayMs);
    }
}

/** What the message needs to say where to look; no credentials. */
export interface GateTarget {
    host: string;
    port: number;
    role: string;
    adminUser: string;
    /** the Stalwart container the gate holds back, and the Docker host it runs on */
    containerName: string;
    dockerHost: string;
}

/** Why the up stops, which addresses still hold the role's sessions after the allowed wait, and how to find, stop or end them. */
export function blockedMessage(t: GateTarget, result: DrainResult, timeoutSeconds: number): string {
    const total = sessionTotal(result.left);
    const hidden = result.left.some((r) => r.hidden);
    const visible = result.left.filter((r) => !r.hidden && r.addr !== "hidden");
    const lines = [
        `one-instance gate: ${total === 1 ? "1 connection" : `${total} connections`} as ${t.role} on ${t.host}:${t.port} ` +
            `still ${total === 1 ? "comes" : "come"} from ${sessionList(result.left)} after ${timeoutSeconds} s, ` +
            `so ${t.containerName} was not started: another Stalwart uses this data store.`,
        `Fix: ${FIND_STRAY_STALWART}. On the first \`pulumi up\` with this gate the running ${t.containerName} itself is what it sees: ` +
            `stop it (\`docker -H ${t.dockerHost} stop ${t.containerName}\`) and run \`pulumi up\` again, which replaces it.`,
    ];
    if (hidden) lines.push(`${t.adminUser} cannot see where some sessions come from: ${grantStatsFix(t.adminUser)}.`);
    if (visible.length > 0) {
        lines.push(
            `If nothing runs at an address any more (a ghost of a removed sidecar), end its sessions as ${t.adminUser}: ${visible.map((r) => terminateSessionsSql(t.role, r.addr)).join(" ")}`,
        );
    }
    lines.push(
        "Then run `pulumi up` again, or allow a longer drain with tailwart:stalwart.drainTimeoutSeconds (docs/runbooks/recovery.md).",
    );
    return lines.join("\n");
}
