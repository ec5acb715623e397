/**
 * Minimal JMAP client for Stalwart's `x:*` registry: one POST to `<url>/jmap` per call, never
 * following the session's apiUrl (its published hostname may be unreachable from here, §1.1).
 * Bounded retries with exponential backoff on connection errors, 5xx and 429 (Retry-After
 * honoured) and a per-request timeout. Uses only globals, so the provider can capture it.
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
     * Whether a request whose connection broke after it was sent may be re-sent. A write may have
     * been committed; callers allow it only when a repeat is harmless or detectable (natural keys).
     */
    retryAfterDrop?: boolean;
}

export interface JmapResult {
    responses: MethodCall[];
    /** true when a re-sent request followed a broken connection: a create may already exist */
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
    let retriedAfterDrop = false;
    let dropped = false;
    for (let attempt = 1; ; attempt++) {
        const backoff = Math.min(policy.baseDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
        let response: Response;
        try {
            if (dropped) retriedAfterDrop = true;
            response = await fetch(endpoint, {
                method: "POST",
                headers: { "content-type": "application/json", accept: "application/json", authorization: conn.authorization },
                body,
                signal: AbortSignal.timeout(policy.timeoutMs),
            });
        } catch (e: any) {
            const reason = e?.name === "TimeoutError" ? `timed out after ${policy.timeoutMs} ms` : String(e?.cause?.code ?? e?.message ?? e);
            if (attempt >= policy.attempts || options.retryAfterDrop === false) {
                const hint = options.retryAfterDrop === false ? " (not re-sent: the write may have been applied; re-run to reconcile)" : "";
                throw new Error(`Stalwart at ${endpoint} unreachable after ${attempt} attempt(s): ${reason}${hint}`, { cause: e });
            }
            dropped = true;
            await new Promise((r) => setTimeout(r, backoff));
            continue;
        }
        if (response.status === 401) {
            await response.body?.cancel();
            throw new Error(`Stalwart at ${endpoint} rejected the credentials from ${conn.source} (HTTP 401); check that source.`);
        }
        if ((response.status === 429 || response.status >= 500) && attempt < policy.attempts) {
            const wait = retryAfterMs(response.headers.get("retry-after"), backoff);
            await response.body?.cancel();
            await new Promise((r) => setTimeout(r, wait));
            continue;
        }
        if (!response.ok) {
            throw new Error(`Stalwart at ${endpoint} answered HTTP ${response.status} after ${attempt} attempt(s): ${await bodyReason(response)}`);
        }
        const parsed: any = await response.json().catch(() => undefined);
        if (!parsed || !Array.isArray(parsed.methodResponses)) {
            throw new Error(`Stalwart at ${endpoint} answered HTTP ${response.status} without JMAP methodResponses; is this a Stalwart v0.16 /jmap endpoint?`);
        }
        return { responses: parsed.methodResponses, retriedAfterDrop };
    }
}
