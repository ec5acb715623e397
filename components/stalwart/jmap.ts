/**
 * Minimal JMAP client for Stalwart's `x:*` registry: one POST to `<url>/jmap` per call, never
 * following the session's apiUrl (its published hostname may be unreachable from here, docs/stalwart-facts.md#transport).
 * Bounded retries with exponential backoff and a per-request timeout. Uses only globals, so the
 * provider can capture it.
 *
 * When a request is re-sent (at most `attempts` sends, exponential backoff, Retry-After honoured):
 * - the request never left (connection refused, name not resolved): always, nothing was processed;
 * - HTTP 429 (rate or concurrency limit, docs/stalwart-facts.md#transport): always; the server rejects it before processing;
 * - HTTP 500, 503 and other 5xx from the server itself: always, for every request. Assumption: a
 *   JMAP server answering 5xx did not process the method calls (Stalwart runs them and answers
 *   200, method errors and SetErrors included);
 * - HTTP 502/504, a gateway's answer (Stalwart behind it may have committed): treated like a
 *   broken connection, below;
 * - a broken or timed-out connection, which may have been processed: only when the caller allows
 *   it (`retryAfterDrop` is not false); `retriedAfterDrop` then tells it an earlier attempt may
 *   have been applied. Otherwise the error is thrown with `dropped: true` (and `inFlight: true` after
 *   a timeout or a 504, when the server may still be working on it): a create without a natural key
 *   looks for the object it may have made before it sends the create again.
 * The timeout is the connection's (`stalwart:requestTimeoutMs`), else 30 s.
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
     * Whether a request whose connection broke or timed out after it was sent may be re-sent: a
     * write may have been committed. Callers allow it when a repeat is harmless or detectable
     * (natural keys). Default: allowed.
     */
    retryAfterDrop?: boolean;
}

/** What jmapRequest throws for a request that was sent and may have been applied (not re-sent). */
export interface DroppedRequest extends Error {
    dropped: true;
    /** a timeout or a gateway's 504: the server may still apply it after this answer */
    inFlight: boolean;
}

export const isDropped = (e: unknown): e is DroppedRequest =>
    (e as { dropped?: unknown } | undefined)?.dropped === true;

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

/** What fetch throws (undici's TypeError with a system error as `cause`, or a TimeoutError), read defensively. */
export interface FetchFailure {
    name?: string;
    code?: string;
    message?: string;
    cause?: { name?: string; code?: string; message?: string };
}

export async function jmapRequest(
    conn: StalwartConnection,
    calls: MethodCall[],
    options: JmapOptions = {},
): Promise<JmapResult> {
    const policy = { ...DEFAULT_RETRY, ...(conn.timeoutMs ? { timeoutMs: conn.timeoutMs } : {}), ...options.retry };
    const endpoint = `${conn.url}/jmap`;
    const body = JSON.stringify({ using: JMAP_USING, methodCalls: calls });
    const mayResend = options.retryAfterDrop !== false;
    let retriedAfterDrop = false;
    for (let attempt = 1; ; attempt++) {
        const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
        let response: Response;
        try {
            response = await fetch(endpoint, {
                method: "POST",
                headers: {
                    "content-type": "application/json",
                    accept: "application/json",
                    authorization: conn.authorization,
                },
                body,
                signal: AbortSignal.timeout(policy.timeoutMs),
            });
        } catch (thrown) {
            const e = thrown as FetchFailure | undefined;
            const code = e?.cause?.code ?? e?.code;
            // Refused or unresolved: the request never left, so nothing can have been applied.
            const sent = !/^E(CONNREFUSED|NOTFOUND|AI_AGAIN)$/.test(code ?? "");
            const unsafe = sent && !mayResend;
            const timedOut = e?.name === "TimeoutError";
            const reason = timedOut ? `timed out after ${policy.timeoutMs} ms` : String(code ?? e?.message ?? thrown);
            // `dropped`: sent, maybe applied, not re-sent (the caller decides: create() looks for the object first).
            if (attempt >= policy.attempts || unsafe) {
                const message = `Stalwart at ${endpoint} unreachable after ${attempt} attempt(s): ${reason}${unsafe ? " (not re-sent: the write may have been applied)" : ""}`;
                throw Object.assign(new Error(message, { cause: e }), {
                    dropped: unsafe,
                    inFlight: unsafe && timedOut,
                });
            }
            retriedAfterDrop ||= sent;
            await new Promise((r) => setTimeout(r, backoff));
            continue;
        }
        const status = response.status;
        if (status === 401) {
            await response.body?.cancel();
            throw new Error(
                `Stalwart at ${endpoint} rejected the credentials from ${conn.source} (HTTP 401); check that source.`,
            );
        }
        const retryAfter = response.headers.get("retry-after");
        // A gateway's 502/504: Stalwart behind it may have committed, like a broken connection.
        const gateway = status === 502 || status === 504;
        if (gateway && !mayResend) {
            await response.body?.cancel();
            throw Object.assign(
                new Error(
                    `Stalwart at ${endpoint}: a proxy answered HTTP ${status} (not re-sent: the write may have been applied)`,
                ),
                { dropped: true, inFlight: status === 504 },
            );
        }
        if ((status === 429 || status >= 500) && attempt < policy.attempts) {
            await response.body?.cancel();
            retriedAfterDrop ||= gateway;
            await new Promise((r) => setTimeout(r, retryAfterMs(retryAfter, backoff)));
            continue;
        }
        if (!response.ok)
            throw new Error(
                `Stalwart at ${endpoint} answered HTTP ${status} after ${attempt} attempt(s): ${await bodyReason(response)}`,
            );
        const parsed = (await response.json().catch(() => undefined)) as { methodResponses?: unknown } | undefined;
        if (!parsed || !Array.isArray(parsed.methodResponses)) {
            throw new Error(
                `Stalwart at ${endpoint} answered HTTP ${status} without JMAP methodResponses; is this a Stalwart v0.16 /jmap endpoint?`,
            );
        }
        return { responses: parsed.methodResponses as MethodCall[], retriedAfterDrop };
    }
}
