/**
 * The effectful part of convergence, against a live server: issue the reloads (a failed reload is a
 * readiness gate, retried with backoff), restart when a change needs it, wait for /healthz/live,
 * then verify that what was written is what is effective. Globals and local modules only: it is
 * captured into the serialized provider.
 */
import type { StalwartConnection } from "../credentials";
import { jmapRequest, type MethodCall } from "../jmap";
import { type ConvergencePlan, planConvergence, type TrackedObject } from "./changes";

export interface Readiness {
    /** attempts of a failing reload or an unconfirmed binding before giving up */
    attempts: number;
    baseDelayMs: number;
    /** how long to wait for /healthz/live after a restart */
    liveTimeoutMs: number;
}

export const DEFAULT_READINESS: Readiness = { attempts: 6, baseDelayMs: 2_000, liveTimeoutMs: 180_000 };

export interface ConvergenceInputs {
    objects: TrackedObject[];
    /** argv run when a change needs a process restart, e.g. ["docker", "-H", "ssh://…", "restart", "stalwart"] */
    restartCommand?: string[];
    /** an address in a managed domain: /api/discover/<address> proves the OIDC binding is live */
    discoverAddress?: string;
    readiness?: Partial<Readiness>;
}

export interface ConvergenceResult {
    /** reload actions issued by the last apply */
    reloads: string[];
    restarted: boolean;
    /** changes that need a restart nobody ran (no restartCommand): the deployment must restart Stalwart */
    pendingRestart: string[];
    /** objects re-read and found as written */
    verified: number;
    /** "issuer" when /api/discover confirmed the default directory, "" otherwise */
    directoryBinding: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backoff = (r: Readiness, attempt: number) => Math.min(r.baseDelayMs * 2 ** (attempt - 1), 60_000);

/** One request creating every action; the ones the server refuses are retried, the rest are done. */
async function runReloads(conn: StalwartConnection, actions: string[], readiness: Readiness): Promise<void> {
    let pending = actions;
    for (let attempt = 1; pending.length > 0; attempt++) {
        const create = Object.fromEntries(pending.map((a, i) => [`r${i}`, { "@type": a }]));
        const { responses } = await jmapRequest(conn, [["x:Action/set", { create }, "a"]]);
        const [name, args] = responses[0] ?? [];
        if (name === "error") throw new Error(`x:Action/set (${pending.join(", ")}) failed: ${(args as any)?.type}: ${(args as any)?.description ?? ""}`);
        const notCreated = ((args as any)?.notCreated ?? {}) as Record<string, any>;
        const failed = pending.map((a, i) => ({ action: a, err: notCreated[`r${i}`] })).filter((f) => f.err);
        if (failed.length === 0) return;
        if (attempt >= readiness.attempts) {
            const why = failed
                .map(({ action, err }) => {
                    const obj = err.objectId ? ` on x:${err.objectId.object} ${err.objectId.id}` : "";
                    const detail = err.description ?? (err.validationErrors ? JSON.stringify(err.validationErrors) : err.type);
                    return `${action} failed${obj}: ${detail}`;
                })
                .join("; ");
            throw new Error(
                `${why} (after ${attempt} attempts). The settings are stored but the running server still uses the previous ones; fix that object or what it depends on (e.g. an identity provider Stalwart cannot reach) and run \`pulumi up\` again.`,
            );
        }
        pending = failed.map((f) => f.action);
        await sleep(backoff(readiness, attempt));
    }
}

async function runRestart(command: string[], timeoutMs: number): Promise<void> {
    const { execFile } = require("node:child_process") as typeof import("node:child_process");
    const [file, ...args] = command;
    await new Promise<void>((resolve, reject) =>
        execFile(file!, args, { timeout: timeoutMs }, (err, _stdout, stderr) =>
            err ? reject(new Error(`restart command \`${command.join(" ")}\` failed: ${String(stderr || err.message).trim().slice(0, 400)}`)) : resolve(),
        ),
    );
}

async function waitLive(conn: StalwartConnection, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "no answer";
    while (Date.now() < deadline) {
        try {
            const r = await fetch(`${conn.url}/healthz/live`, { signal: AbortSignal.timeout(5_000) });
            await r.body?.cancel();
            if (r.ok) return;
            last = `HTTP ${r.status}`;
        } catch (e: any) {
            last = String(e?.cause?.code ?? e?.message ?? e);
        }
        await sleep(1_000);
    }
    throw new Error(`Stalwart at ${conn.url} was not live ${Math.round(timeoutMs / 1000)}s after the restart (last: ${last}); check \`docker logs\` for registry.build-error.`);
}

const MASK = "****";
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Re-reads every object (one /get per type, batched) and names each property that differs from what was written. */
async function verifyObjects(conn: StalwartConnection, objects: TrackedObject[]): Promise<number> {
    const byType = new Map<string, TrackedObject[]>();
    for (const o of objects) byType.set(o.objectType, [...(byType.get(o.objectType) ?? []), o]);
    const calls: MethodCall[] = [...byType.entries()].map(([type, list], i) => [`${type}/get`, { ids: list.map((o) => o.objectId) }, `g${i}`]);
    const problems: string[] = [];
    for (let start = 0; start < calls.length; start += 16) {
        const { responses } = await jmapRequest(conn, calls.slice(start, start + 16));
        for (const [name, args, callId] of responses) {
            const type = calls.find((c) => c[2] === callId)?.[0].replace(/\/get$/, "") ?? "?";
            if (name === "error") {
                problems.push(`${type}: ${(args as any).type} ${(args as any).description ?? ""}`);
                continue;
            }
            const found = new Map(((args as any).list ?? []).map((x: any) => [x.id, x]));
            for (const o of byType.get(type) ?? []) {
                const seen = found.get(o.objectId) as Record<string, unknown> | undefined;
                if (!seen) {
                    problems.push(`${type} ${o.objectId} is gone`);
                    continue;
                }
                for (const [p, want] of Object.entries(o.properties)) {
                    if ((o.volatile ?? []).includes(p) || want === MASK || !(p in seen)) continue;
                    if (!same(normalizeForCompare(want), normalizeForCompare(seen[p]))) problems.push(`${type} ${o.objectId}.${p} reads ${JSON.stringify(seen[p])}, written ${JSON.stringify(want)}`);
                }
            }
        }
    }
    if (problems.length) throw new Error(`settings read back differ from what was written: ${problems.join("; ")}. Something else wrote them (the web UI, a second instance on the same store?); run \`pulumi refresh\` to see the drift.`);
    return objects.length;
}

/** Key order carries no meaning on the wire. */
function normalizeForCompare(v: unknown): unknown {
    if (v && typeof v === "object" && !Array.isArray(v)) {
        return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, normalizeForCompare(x)]));
    }
    return v;
}

/**
 * x:Authentication.directoryId is stored even when its directory failed to build, so the stored
 * value proves nothing: the effective binding shows in /api/discover/<address>, which returns the
 * identity provider's issuer only when the running default directory is a built OIDC directory.
 */
async function verifyDirectoryBinding(conn: StalwartConnection, objects: TrackedObject[], address: string | undefined, readiness: Readiness): Promise<string> {
    const auth = objects.find((o) => o.objectType === "x:Authentication");
    const directoryId = auth?.properties.directoryId;
    if (!address || typeof directoryId !== "string") return "";
    const { responses } = await jmapRequest(conn, [["x:Directory/get", { ids: [directoryId], properties: ["issuerUrl", "@type"] }, "d"]]);
    const dir = (responses[0]?.[1] as any)?.list?.[0];
    if (dir?.["@type"] !== "Oidc") return "";
    const want = String(dir.issuerUrl).replace(/\/$/, "");
    let seen: string;
    for (let attempt = 1; ; attempt++) {
        const r = await fetch(`${conn.url}/api/discover/${encodeURIComponent(address)}`, { signal: AbortSignal.timeout(10_000) });
        seen = r.ok ? String(((await r.json()) as any).issuer ?? "").replace(/\/$/, "") : `HTTP ${r.status}`;
        if (!r.ok) await r.body?.cancel();
        if (seen === want) return "issuer";
        if (attempt >= readiness.attempts) break;
        await sleep(backoff(readiness, attempt));
        // the IdP may have come up since: rebuilding the directories is the only retry there is
        await runReloads(conn, ["ReloadSettings"], { ...readiness, attempts: 1 }).catch(() => undefined);
    }
    throw new Error(
        `x:Authentication.directoryId = ${directoryId} is stored but not effective: /api/discover/${address} shows issuer "${seen}", not the directory's "${want}". Stalwart could not build the OIDC directory (IdP unreachable from the container, TLS not verifiable, or issuer mismatch); fix that and run \`pulumi up\` again.`,
    );
}

/**
 * @param owedRestart reasons a previous apply could not restart for (no restartCommand then):
 *   still owed, so they count now, without re-running the reloads that were already done.
 */
export async function converge(
    conn: StalwartConnection,
    before: TrackedObject[] | undefined,
    inputs: ConvergenceInputs,
    owedRestart: string[] = [],
): Promise<ConvergenceResult & { plan: ConvergencePlan }> {
    const readiness = { ...DEFAULT_READINESS, ...inputs.readiness };
    const changed = planConvergence(before, inputs.objects);
    const plan = { ...changed, restartReasons: [...new Set([...owedRestart, ...changed.restartReasons])] };
    const restart = plan.restartReasons.length > 0 && (inputs.restartCommand?.length ?? 0) > 0;
    await runReloads(conn, plan.reloads, readiness);
    if (restart) {
        await runRestart(inputs.restartCommand!, readiness.liveTimeoutMs);
        await waitLive(conn, readiness.liveTimeoutMs);
    }
    const verified = await verifyObjects(conn, inputs.objects);
    const directoryBinding = await verifyDirectoryBinding(conn, inputs.objects, inputs.discoverAddress, readiness);
    return {
        plan,
        reloads: plan.reloads,
        restarted: restart,
        pendingRestart: restart ? [] : plan.restartReasons,
        verified,
        directoryBinding,
    };
}
