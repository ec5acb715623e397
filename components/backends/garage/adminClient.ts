// A small client for Garage's admin API v2, captured by value into the serialized provider: it may use only
// globals (fetch, URL, URLSearchParams, AbortSignal, setTimeout). No #private fields (closure serialization).

/** Garage's JSON error body. */
export interface GarageErrorBody {
    code: string;
    message: string;
    path?: string;
    region?: string;
}

export interface AdminCall {
    query?: Record<string, string>;
    body?: unknown;
    /** Statuses returned to the caller instead of thrown (e.g. 404 for a lookup). */
    expect?: number[];
}

export interface AdminAnswer<T> {
    status: number;
    data: T;
    /** How many attempts this call took (> 1 when it was retried). */
    attempts: number;
}

export interface RetryPolicy {
    attempts: number;
    baseDelayMs: number;
    timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 150, timeoutMs: 15_000 };

/** Statuses worth another try: the cluster is busy, restarting or without quorum. */
const TRANSIENT_STATUSES = [500, 502, 503, 504];

/** An error carrying Garage's status and code, so callers can branch on them. */
export type GarageAdminFailure = Error & { status?: number; garageCode?: string };

export class GarageAdminClient {
    constructor(
        private readonly endpoint: string,
        private readonly token: string,
        /** where the token came from ("config garage:adminToken"), named in a 401/403 hint, never the value */
        private readonly tokenSource = "config garage:adminToken",
        private readonly retry: RetryPolicy = DEFAULT_RETRY,
    ) {}

    async call<T>(method: "GET" | "POST", name: string, call: AdminCall = {}): Promise<AdminAnswer<T>> {
        const search = call.query ? `?${new URLSearchParams(call.query).toString()}` : "";
        const path = `/v2/${name}${search}`;
        const where = `Garage admin API ${method} ${path} at ${this.endpoint}`;
        let lastProblem = "";
        for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
            if (attempt > 1)
                await new Promise((resolve) => setTimeout(resolve, this.retry.baseDelayMs * 2 ** (attempt - 2)));
            let response: Response;
            let text: string;
            try {
                response = await fetch(`${this.endpoint}${path}`, {
                    method,
                    headers: { Authorization: `Bearer ${this.token}`, "Content-Type": "application/json" },
                    body: call.body === undefined ? undefined : JSON.stringify(call.body),
                    signal: AbortSignal.timeout(this.retry.timeoutMs),
                });
                text = await response.text();
            } catch (error) {
                const cause = (error as { cause?: { code?: string; message?: string } }).cause;
                lastProblem = `no answer (${cause?.code ?? cause?.message ?? (error as Error).message})`;
                continue;
            }
            const data = parseBody(text);
            if (response.ok || call.expect?.includes(response.status)) {
                return { status: response.status, data: data as T, attempts: attempt };
            }
            const garage = asGarageError(data);
            lastProblem = `HTTP ${response.status}${garage ? ` ${garage.code}: ${garage.message}` : text ? `: ${text.slice(0, 200)}` : ""}`;
            if (TRANSIENT_STATUSES.includes(response.status)) continue;
            throw this.failure(
                `${where} failed: ${lastProblem}${hintFor(response.status, this.tokenSource)}`,
                response.status,
                garage?.code,
            );
        }
        throw this.failure(`${where} failed after ${this.retry.attempts} attempts: ${lastProblem}`);
    }

    /** Builds the thrown error; the token is scrubbed even if a proxy echoed it back. */
    private failure(message: string, status?: number, garageCode?: string): GarageAdminFailure {
        const scrubbed = this.token ? message.split(this.token).join("[redacted]") : message;
        return Object.assign(new Error(scrubbed), { status, garageCode });
    }
}

function parseBody(text: string): unknown {
    if (text === "") return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

export function asGarageError(data: unknown): GarageErrorBody | undefined {
    if (typeof data !== "object" || data === null) return undefined;
    const { code, message } = data as Record<string, unknown>;
    return typeof code === "string" && typeof message === "string" ? (data as GarageErrorBody) : undefined;
}

function hintFor(status: number, source: string): string {
    if (status === 401 || status === 403) {
        return ` (check the admin token from ${source}: \`pulumi config set --secret garage:adminToken\` comes first, then env GARAGE_ADMIN_TOKEN)`;
    }
    return "";
}
