/**
 * Minimal JMAP client for Stalwart's `x:*` registry: one POST to `<url>/jmap` per call, never
 * following the session's apiUrl (its published hostname may be unreachable from here, §1.1).
 * Bounded retries with exponential backoff and a per-request timeout. Uses only globals, so the
 * provider can capture it.
 *
 * When a request is re-sent:
 * - the request never left (connection refused, name not resolved): always, nothing was processed;
 * - HTTP 429 (rate or concurrency limit, §1.1): always, honouring Retry-After; the server rejects
 *   it before processing. HTTP 503 *with* Retry-After is the same signal (overload, maintenance,
 *   a restart announced by a proxy) and is treated like 429;
 * - anything else that may have reached the server — a broken or timed-out connection, or any
 *   other 5xx (502/504 from a proxy can come after the upstream committed the write) — only when
 *   the caller allows it (`retryAfterDrop` is not false). Reads and idempotent writes allow it; a
 *   create without a natural key does not, and then fails with "the write may have been applied;
 *   re-run to reconcile" instead of risking a duplicate. When such a request is re-sent,
 *   `retriedAfterDrop` tells the caller an earlier attempt may already have been applied.
 */
import type { StalwartConnection } from "./credentials";

export type MethodCall = [string, Record<string, unknown>, string];

export interface RetryPolicy {
    attempts: number;
    baseDelayMs: number;
    maxDelayMs: number;
    timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000, timeoutMs: 30_000 };

export interface JmapOptions {
    retry?: Partial<RetryPolicy>;
    /**
     * Whether a request that may have reached the server (broken or timed-out connection, a 5xx
     * other than 503 with Retry-After) may be re-sent. A write may have been committed; callers
     * allow it only when a repeat is harmless or detectable (natural keys). Default: allowed.
     */
    retryAfterDrop?: boolean;
}

export interface JmapResult {
    responses: MethodCall[];
    /** true when the request was re-sent after an attempt that may have been applied: a create may already exist */
    retriedAfterDrop: boolean;
}

export const JMAP_USING = ["urn:ietf:params:jmap:core", "urn:stalwart:jmap"];

/** Seconds or an HTTP date → milliseconds, capped so a hostile header cannot stall a deployment. */
function retryAfterMs(header: string | null, fallback: number): number {
    if (!header) return fallback;
    const seconds = Number(header);
    const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), 30_000) : fallback;
}

/** The problem+json `detail`/`title`, or the start of a text body: enough to explain, never the request. */
async function bodyReason(response: Response): Promise<string> {
    const text = await response.text().catch(() => "");
    try {
        const problem = JSON.parse(text);
        return String(problem.detail ?? problem.title ?? problem.type ?? text).slice(0, 300);
    } catch {
        return text.slice(0, 300);
    }
}

export async function jmapRequest(conn: StalwartConnection, calls: MethodCall[], options: JmapOptions = {}): Promise<JmapResult> {
    const policy = { ...DEFAULT_RETRY, ...options.retry };
    const endpoint = `${conn.url}/jmap`;
    const body = JSON.stringify({ using: JMAP_USING, methodCalls: calls });
    const mayResend = options.retryAfterDrop !== false;
    const notResent = " (not re-sent: the write may have been applied; re-run to reconcile)";
    let retriedAfterDrop = false;
    for (let attempt = 1; ; attempt++) {
        const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
        let response: Response;
        try {
            response = await fetch(endpoint, {
                method: "POST",
                headers: { "content-type": "application/json", accept: "application/json", authorization: conn.authorization },
                body,
                signal: AbortSignal.timeout(policy.timeoutMs),
            });
        } catch (e: any) {
            const code = e?.cause?.code ?? e?.code;
            // Refused or unresolved: the request never left, so nothing can have been applied.
            const sent = !/^E(CONNREFUSED|NOTFOUND|AI_AGAIN)$/.test(code);
            const unsafe = sent && !mayResend;
            const reason = e?.name === "TimeoutError" ? `timed out after ${policy.timeoutMs} ms` : String(code ?? e?.message ?? e);
            if (attempt >= policy.attempts || unsafe) throw new Error(`Stalwart at ${endpoint} unreachable after ${attempt} attempt(s): ${reason}${unsafe ? notResent : ""}`, { cause: e });
            retriedAfterDrop ||= sent;
            await new Promise((r) => setTimeout(r, backoff));
            continue;
        }
        const status = response.status;
        if (status === 401) {
            await response.body?.cancel();
            throw new Error(`Stalwart at ${endpoint} rejected the credentials from ${conn.source} (HTTP 401); check that source.`);
        }
        const retryAfter = response.headers.get("retry-after");
        // Refused before processing (429, or 503 with Retry-After): always safe to send again.
        const refused = status === 429 || (status === 503 && retryAfter !== null);
        const unsafe = status >= 500 && !refused && !mayResend;
        if ((refused || status >= 500) && !unsafe && attempt < policy.attempts) {
            await response.body?.cancel();
            retriedAfterDrop ||= !refused;
            await new Promise((r) => setTimeout(r, retryAfterMs(retryAfter, backoff)));
            continue;
        }
        if (!response.ok) throw new Error(`Stalwart at ${endpoint} answered HTTP ${status}${unsafe ? notResent : ` after ${attempt} attempt(s)`}: ${await bodyReason(response)}`);
        const parsed: any = await response.json().catch(() => undefined);
        if (!parsed || !Array.isArray(parsed.methodResponses)) {
            throw new Error(`Stalwart at ${endpoint} answered HTTP ${status} without JMAP methodResponses; is this a Stalwart v0.16 /jmap endpoint?`);
        }
        return { responses: parsed.methodResponses, retriedAfterDrop };
    }
}
