/**
 * The effectful part of convergence, against a live server: issue the reloads (a failed reload is a
 * readiness gate, retried with backoff), restart when a change needs it, wait for /healthz/live,
 * then verify that what was written is what is effective. Globals and local modules only: it is
 * captured into the serialized provider.
 */
import type { StalwartConnection } from "../credentials";
import { shown } from "../errors";
import { type FetchFailure, jmapRequest, type MethodCall } from "../jmap";
import { isObj } from "../normalize";
import { retire } from "../retire";
import { bindDefaultDirectory, type BindingSteps, gateNamingIssuer, readBinding, unbindRemoved } from "./binding";
import { type ConvergencePlan, describeObject, leftObjects, planConvergence, type TrackedObject } from "./changes";

/** How long StalwartConvergence waits for Stalwart, and how often it retries. */
export interface Readiness {
    /** attempts of a failing reload or an unconfirmed binding before giving up */
    attempts: number;
    /** the first retry's delay; each further one waits twice as long */
    baseDelayMs: number;
    /** how long to wait for /healthz/live after a restart */
    liveTimeoutMs: number;
    /** how long one /api/discover request may take before it counts as a failed attempt */
    discoverTimeoutMs: number;
}

/**
 * A resource's default: a short gate (waits 0.5 + 1 + 2 s) that fails fast in a pipeline. The mail
 * deployment passes OPERATIONAL_READINESS instead, which gives an identity provider a minute to
 * come up.
 */
export const DEFAULT_READINESS: Readiness = {
    attempts: 4,
    baseDelayMs: 500,
    liveTimeoutMs: 180_000,
    discoverTimeoutMs: 10_000,
};

/** Waits 2 + 4 + 8 + 16 + 32 s between six attempts. */
export const OPERATIONAL_READINESS: Partial<Readiness> = { attempts: 6, baseDelayMs: 2_000 };

export interface ConvergenceInputs {
    objects: TrackedObject[];
    /** argv run when a change needs a process restart, e.g. ["docker", "-H", "ssh://…", "restart", "stalwart"] */
    restartCommand?: string[];
    /**
     * an address in a managed domain: /api/discover/<address> proves the OIDC binding is live;
     * default postmaster@<a managed x:Domain's name>, else of the first domain on the server
     */
    discoverAddress?: string;
    readiness?: Partial<Readiness>;
    /** the x:Directory to bind as the default directory once it builds (binding.ts); the binding is then this step's, not an object's */
    defaultDirectoryId?: string;
}

export interface ConvergenceResult {
    /** objects that left the program in this apply: restored (adopted) or destroyed (created) */
    retired: string[];
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

/**
 * One request creating every action; the ones the server refuses, or does not confirm (neither a
 * `created` nor a `notCreated` entry), are retried, the rest are done.
 */
async function runReloads(conn: StalwartConnection, actions: string[], readiness: Readiness): Promise<void> {
    let pending = actions;
    for (let attempt = 1; pending.length > 0; attempt++) {
        const create = Object.fromEntries(pending.map((a, i) => [`r${i + 1}`, { "@type": a }]));
        const { responses } = await jmapRequest(conn, [["x:Action/set", { create }, "a"]]);
        const [name, args] = responses.find((r) => r?.[2] === "a") ?? [];
        if (name === "error")
            throw new Error(
                `x:Action/set (${pending.join(", ")}) failed: ${isObj(args) ? `${args.type}: ${args.description ?? ""}` : "error"}`,
            );
        if (name !== "x:Action/set" || !isObj(args)) {
            throw new Error(
                `x:Action/set (${pending.join(", ")}): the server answered ${name === undefined ? "nothing" : JSON.stringify(name)} instead of x:Action/set, so no reload is confirmed; is ${conn.url} a Stalwart v0.16 server?`,
            );
        }
        const created = isObj(args.created) ? args.created : {};
        const notCreated = isObj(args.notCreated) ? args.notCreated : {};
        const unconfirmed = {
            type: "unconfirmed",
            description: "the server confirmed it neither as created nor as notCreated",
        };
        const failed = pending
            .map((a, i) => ({
                action: a,
                err:
                    notCreated[`r${i + 1}`] ??
                    (created[`r${i + 1}`] === undefined || created[`r${i + 1}`] === null ? unconfirmed : undefined),
            }))
            .filter((f) => f.err);
        if (failed.length === 0) return;
        if (attempt >= readiness.attempts) {
            const why = failed
                .map(({ action, err }) => {
                    const obj =
                        isObj(err) && isObj(err.objectId) ? ` on x:${err.objectId.object} ${err.objectId.id}` : "";
                    const detail = isObj(err)
                        ? (err.description ?? (err.validationErrors ? JSON.stringify(err.validationErrors) : err.type))
                        : JSON.stringify(err);
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
            err
                ? reject(
                      new Error(
                          `restart command \`${command.join(" ")}\` failed: ${String(stderr || err.message)
                              .trim()
                              .slice(0, 400)}`,
                      ),
                  )
                : resolve(),
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
        } catch (thrown) {
            const e = thrown as FetchFailure | undefined;
            last = String(e?.cause?.code ?? e?.message ?? thrown);
        }
        await sleep(1_000);
    }
    throw new Error(
        `Stalwart at ${conn.url} was not live ${Math.round(timeoutMs / 1000)}s after the restart (last: ${last}); check \`docker logs\` for registry.build-error.`,
    );
}

const MASK = "****";
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Stalwart's getMaxResults (docs/stalwart-facts.md#transport): ids per /get. */
const GET_MAX = 500;
/** Stalwart's maxMethodCalls (docs/stalwart-facts.md#transport): method calls per request. */
const MAX_CALLS = 16;

/**
 * Re-reads every object (one /get per type and account, batched) and names each property that
 * differs from what was written. Account-scoped objects are read in their account (docs/stalwart-facts.md#account-scope): without
 * the accountId the server would look in the caller's own account and not find them.
 */
async function verifyObjects(conn: StalwartConnection, objects: TrackedObject[]): Promise<number> {
    const groups = new Map<string, { type: string; accountId?: string; list: TrackedObject[] }>();
    for (const o of objects) {
        const accountId = typeof o.accountId === "string" ? o.accountId : undefined;
        const k = JSON.stringify([o.objectType, accountId ?? null]);
        const g = groups.get(k) ?? { type: o.objectType, ...(accountId === undefined ? {} : { accountId }), list: [] };
        g.list.push(o);
        groups.set(k, g);
    }
    const reads: { call: MethodCall; type: string; list: TrackedObject[] }[] = [];
    for (const g of groups.values()) {
        for (let i = 0; i < g.list.length; i += GET_MAX) {
            const list = g.list.slice(i, i + GET_MAX);
            const args = {
                ...(g.accountId === undefined ? {} : { accountId: g.accountId }),
                ids: list.map((o) => o.objectId),
            };
            reads.push({ call: [`${g.type}/get`, args, `g${reads.length}`], type: g.type, list });
        }
    }
    const problems: string[] = [];
    for (let start = 0; start < reads.length; start += MAX_CALLS) {
        const batch = reads.slice(start, start + MAX_CALLS);
        const { responses } = await jmapRequest(
            conn,
            batch.map((r) => r.call),
        );
        for (const { call, type, list } of batch) {
            const where = typeof call[1].accountId === "string" ? ` in account ${call[1].accountId}` : "";
            const [name, args] = responses.find((r) => r?.[2] === call[2]) ?? [];
            if (name === "error") {
                problems.push(
                    `${type}${where}: ${isObj(args) ? `${args.type} ${args.description ?? ""}` : "error"}`.trim(),
                );
                continue;
            }
            if (name !== call[0] || !isObj(args)) {
                problems.push(`${type}${where}: no ${call[0]} response`);
                continue;
            }
            const found = new Map(
                (Array.isArray(args.list) ? args.list : [])
                    .filter(isObj)
                    .map((x: Record<string, unknown>) => [String(x.id), x]),
            );
            for (const o of list) {
                const seen = found.get(o.objectId);
                if (!seen) {
                    problems.push(`${describeObject(o)} is gone`);
                    continue;
                }
                for (const [p, want] of Object.entries(o.properties)) {
                    if ((o.volatile ?? []).includes(p) || want === MASK || !(p in seen)) continue;
                    if (!same(normalizeForCompare(want), normalizeForCompare(seen[p])))
                        problems.push(
                            `${type} ${o.objectId}.${p}${where} reads ${shown(seen[p])}, written ${shown(want)}`,
                        );
                }
            }
        }
    }
    if (problems.length)
        throw new Error(
            `settings read back differ from what was written: ${problems.join("; ")}. Something else wrote them (the web UI, a second instance on the same store?); run \`pulumi refresh\` to see the drift.`,
        );
    return objects.length;
}

/** Key order carries no meaning on the wire. */
function normalizeForCompare(v: unknown): unknown {
    if (v && typeof v === "object" && !Array.isArray(v)) {
        return Object.fromEntries(
            Object.entries(v as Record<string, unknown>)
                .sort(([a], [b]) => (a < b ? -1 : 1))
                .map(([k, x]) => [k, normalizeForCompare(x)]),
        );
    }
    return v;
}

/**
 * `s` as one URL path segment: percent-encodes only what a segment cannot hold as it is (RFC 3986
 * pchar), so an address keeps its "@" (and ":", "+", and the other sub-delims) raw:
 * /api/discover/someone@example.org, not someone%40example.org.
 */
export function pathSegment(s: string): string {
    return encodeURIComponent(s).replace(/%(?:40|3A|24|26|2B|2C|3B|3D)/gi, (m) =>
        String.fromCharCode(parseInt(m.slice(1), 16)),
    );
}

/** One /api/discover answer: the issuer it shows, or why there is none; `answered` false when no HTTP answer came back. */
async function discover(url: string, timeoutMs: number): Promise<{ seen: string; answered: boolean }> {
    try {
        const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!r.ok) {
            await r.body?.cancel();
            // 5xx and 429: the server (or a proxy in front of it) is not ready to answer
            return { seen: `HTTP ${r.status}`, answered: r.status < 500 && r.status !== 429 };
        }
        const body: unknown = await r.json().catch(() => undefined);
        return {
            seen: isObj(body) ? String(body.issuer ?? "").replace(/\/$/, "") : "a body that is not a JSON object",
            answered: true,
        };
    } catch (thrown) {
        const e = thrown as FetchFailure | undefined;
        const timedOut = e?.name === "TimeoutError" || e?.cause?.name === "TimeoutError";
        return {
            seen: timedOut
                ? `no answer within ${timeoutMs} ms`
                : `unreachable (${String(e?.cause?.code ?? e?.cause?.message ?? e?.message ?? thrown)})`,
            answered: false,
        };
    }
}

/**
 * x:Authentication.directoryId is stored even when its directory failed to build, so the stored
 * value proves nothing: the effective binding shows in /api/discover/<address>, which returns the
 * identity provider's issuer only when the running default directory is a built OIDC directory.
 * A wrong issuer is retried with a ReloadSettings in between (the IdP may have come up); a
 * connection error, timeout, 5xx or 429 is retried as it is (Stalwart may still be starting);
 * both within the readiness attempts and backoff.
 */
async function verifyDirectoryBinding(
    conn: StalwartConnection,
    objects: TrackedObject[],
    address: string | undefined,
    readiness: Readiness,
): Promise<string> {
    const auth = objects.find((o) => o.objectType === "x:Authentication");
    const directoryId = auth?.properties.directoryId;
    if (typeof directoryId !== "string") return "";
    const trackedDomain = objects.find((o) => o.objectType === "x:Domain" && typeof o.properties.name === "string")
        ?.properties.name;
    // the whole object: a server may not know a property filter's names, and the directory is small
    const calls: MethodCall[] = [["x:Directory/get", { ids: [directoryId] }, "d"]];
    if (!address && !trackedDomain) calls.push(["x:Domain/get", { ids: null }, "dm"]);
    const { responses } = await jmapRequest(conn, calls);
    const listOf = (callId: string): Record<string, unknown>[] => {
        const list = responses.find((r) => r?.[2] === callId)?.[1]?.list;
        return Array.isArray(list) ? list.filter(isObj) : [];
    };
    const dir = listOf("d")[0];
    if (dir?.["@type"] !== "Oidc") return "";
    const domain = trackedDomain ?? listOf("dm").find((d) => typeof d?.name === "string")?.name;
    address ??= domain ? `postmaster@${domain}` : undefined;
    if (!address)
        throw new Error(
            `x:Authentication.directoryId = ${directoryId} cannot be confirmed: no x:Domain exists to ask /api/discover about; create the domain or set discoverAddress.`,
        );
    const want = String(dir.issuerUrl).replace(/\/$/, "");
    const path = `/api/discover/${pathSegment(address)}`;
    let last: { seen: string; answered: boolean };
    let attempt = 1;
    for (; ; attempt++) {
        last = await discover(`${conn.url}${path}`, readiness.discoverTimeoutMs);
        if (last.seen === want) return "issuer";
        if (attempt >= readiness.attempts) break;
        await sleep(backoff(readiness, attempt));
        // the IdP may have come up since: rebuilding the directories is the only retry there is
        if (last.answered)
            await runReloads(conn, ["ReloadSettings"], { ...readiness, attempts: 1 }).catch(() => undefined);
    }
    if (!last.answered) {
        throw new Error(
            `x:Authentication.directoryId = ${directoryId} could not be confirmed: ${conn.url}${path} gave no usable answer after ${attempt} attempts (last: ${last.seen}). Check that Stalwart is up and reachable from here, then run \`pulumi up\` again.`,
        );
    }
    throw new Error(
        `x:Authentication.directoryId = ${directoryId} is stored but not effective: ${path} shows issuer "${last.seen}", not the directory's "${want}". Stalwart could not build the OIDC directory (IdP unreachable from the container, TLS not verifiable, or issuer mismatch); fix that and run \`pulumi up\` again.`,
    );
}

/**
 * Objects that left the program, made to leave the server before the reloads and the restart, so
 * their removal takes effect in this same apply (decision 012): the engine deletes removed resources
 * only after every registration, and its Delete then finds nothing left to do. A created object that
 * something still references fails the apply, naming the links (the next apply tries again).
 */
async function retireLeft(conn: StalwartConnection, left: TrackedObject[]): Promise<string[]> {
    if (left.length === 0) return [];
    const label = (o: TrackedObject) =>
        `${o.objectType}${typeof o.properties.name === "string" ? ` ${JSON.stringify(o.properties.name)}` : ""} (id ${JSON.stringify(o.objectId)})`;
    const items = left.map((o) => ({ ...o, adopted: o.adopted !== false, label: label(o) }));
    const { restored, destroyed, kept } = await retire(conn, items);
    if (kept.length > 0)
        throw new Error(
            `objects that left the program could not be removed: ${kept.join(" ")} Then run \`pulumi up\` again.`,
        );
    return [...restored.map((r) => `restored ${r}`), ...destroyed.map((d) => `deleted ${d}`)];
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
    const bind = inputs.defaultDirectoryId;
    const steps: BindingSteps = {
        reload: () => runReloads(conn, ["ReloadSettings"], readiness),
        verify: (objects) => verifyDirectoryBinding(conn, objects, inputs.discoverAddress, readiness),
    };
    // objects that left leave the server first, so the reloads and the restart below make that effective;
    // a removed default directory is unbound before (objectIsLinked otherwise), unless the binding moves
    // to another directory: the one still bound then goes once the binding has moved
    if (!bind) await unbindRemoved(conn, before, inputs.objects, steps);
    const left = leftObjects(before, inputs.objects);
    const stillBound = bind && left.some((o) => o.objectType === "x:Directory") ? await readBinding(conn) : null;
    const last = left.filter((o) => o.objectType === "x:Directory" && o.objectId === stillBound);
    const retired = await retireLeft(
        conn,
        left.filter((o) => !last.includes(o)),
    );
    const reloads = () => runReloads(conn, plan.reloads, readiness);
    // a directory that never builds fails the reloads: then the error names its issuer (binding.ts)
    await (bind ? gateNamingIssuer(inputs.objects, bind, reloads) : reloads());
    if (restart) {
        await runRestart(inputs.restartCommand!, readiness.liveTimeoutMs);
        await waitLive(conn, readiness.liveTimeoutMs);
    }
    const verified = await verifyObjects(conn, inputs.objects);
    const directoryBinding = bind
        ? await bindDefaultDirectory(
              conn,
              inputs.objects,
              bind,
              steps,
              plan.reloads.includes("ReloadSettings") && !restart,
          )
        : await verifyDirectoryBinding(conn, inputs.objects, inputs.discoverAddress, readiness);
    if (last.length > 0) {
        // the directory the binding moved away from: gone now, and out of the running server with a reload
        retired.push(...(await retireLeft(conn, last)));
        await steps.reload();
    }
    return {
        plan,
        retired,
        reloads: plan.reloads,
        restarted: restart,
        pendingRestart: restart ? [] : plan.restartReasons,
        verified,
        directoryBinding,
    };
}
