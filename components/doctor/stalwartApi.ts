/**
 * The doctor's reads of Stalwart's management API: plain GETs (health, discovery, schema) and JMAP
 * `x:*` reads, through the injected fetch. No retries: the doctor reports what it sees. Reads several
 * checks need (listeners, the domain, …) are made once per run and shared.
 */
import { createHash } from "node:crypto";
import { JMAP_USING } from "../stalwart/jmap";
import type { DoctorNetwork, StalwartAccess, StalwartReads, XObject } from "./types";

/** A problem a check cannot see past: the check fails with this detail and fix. */
export class CheckError extends Error {
    constructor(
        message: string,
        readonly fix: string,
    ) {
        super(message);
        this.name = "CheckError";
    }
}

const CREDENTIALS_FIX =
    "set the secret stalwart:token (an API_… key) or stalwart:user/stalwart:password in the stack, or export STALWART_TOKEN, or STALWART_USER and STALWART_PASSWORD " +
    "(a value the stack file holds encrypted cannot be read without Pulumi)";

/** What fetch throws, read defensively: the system error's code when there is one. */
function failure(e: unknown): string {
    const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (err?.name === "TimeoutError" || err?.name === "AbortError") return "no answer in time";
    return err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(e);
}

export class StalwartReader implements StalwartReads {
    private readonly memo = new Map<string, Promise<unknown>>();

    constructor(
        readonly access: StalwartAccess,
        private readonly net: DoctorNetwork,
        /** aborts every request when the run ends */
        private readonly runSignal: AbortSignal,
        private readonly requestTimeoutMs: number,
    ) {}

    /** GET `<url><path>`; throws CheckError when the server cannot be reached. */
    async get(path: string, opts: { auth?: boolean; signal?: AbortSignal } = {}): Promise<Response> {
        const url = `${this.access.url}${path}`;
        const headers: Record<string, string> = { accept: "application/json" };
        if (opts.auth) headers.authorization = this.authorization();
        try {
            // /api/schema answers 302 to /api/schema/<hash> on the same server; the header goes along
            return await this.net.fetch(url, { headers, redirect: "follow", signal: this.signal(opts.signal) });
        } catch (e) {
            throw new CheckError(
                `GET ${url}: ${failure(e)}`,
                `make sure Stalwart runs and ${this.access.url} is reachable from here (over the tailnet); ${this.access.source}`,
            );
        }
    }

    /** One JMAP request; each method error becomes a CheckError naming the method. */
    private async jmap(calls: [string, Record<string, unknown>, string][]): Promise<Record<string, unknown>[]> {
        const url = `${this.access.url}/jmap`;
        const authorization = this.authorization();
        let response: Response;
        try {
            response = await this.net.fetch(url, {
                method: "POST",
                headers: { "content-type": "application/json", accept: "application/json", authorization },
                body: JSON.stringify({ using: JMAP_USING, methodCalls: calls }),
                signal: this.signal(),
            });
        } catch (e) {
            throw new CheckError(
                `POST ${url}: ${failure(e)}`,
                `make sure Stalwart runs and ${this.access.url} is reachable from here`,
            );
        }
        if (response.status === 401) {
            await response.body?.cancel();
            throw new CheckError(
                `${url} rejected the credentials from ${this.access.source} (HTTP 401)`,
                `check ${this.access.source}; ${CREDENTIALS_FIX}`,
            );
        }
        if (!response.ok) {
            await response.body?.cancel();
            throw new CheckError(
                `${url} answered HTTP ${response.status}`,
                "look at `docker logs` of the Stalwart container on the mailbox host",
            );
        }
        const body = (await response.json().catch(() => undefined)) as
            | { methodResponses?: [string, Record<string, unknown>, string][] }
            | undefined;
        if (!Array.isArray(body?.methodResponses))
            throw new CheckError(
                `${url} answered without methodResponses`,
                `is ${this.access.url} a Stalwart v0.16 management API?`,
            );
        return calls.map(([name, , callId]) => {
            const found = body.methodResponses!.find((r) => r[2] === callId);
            if (!found)
                throw new CheckError(`${name}: no response`, `is ${this.access.url} a Stalwart v0.16 management API?`);
            if (found[0] === "error") {
                const args = found[1] as { type?: string; description?: string };
                const fix =
                    args.type === "forbidden"
                        ? `give the credentials from ${this.access.source} the ${name} permission (an admin API key)`
                        : "look at Stalwart's log for this method call";
                throw new CheckError(
                    `${name} answered ${args.type ?? "an error"}${args.description ? `: ${args.description}` : ""}`,
                    fix,
                );
            }
            return found[1];
        });
    }

    /** A singleton (always by its id "singleton": ids:null never lists one). */
    singleton(type: string): Promise<XObject> {
        return this.once(`singleton ${type}`, async () => {
            const [got] = await this.jmap([[`${type}/get`, { ids: ["singleton"] }, "g"]]);
            const obj = (got?.list as XObject[] | undefined)?.[0];
            if (!obj) throw new CheckError(`${type}/get returned no singleton`, "is this a Stalwart v0.16 server?");
            return obj;
        });
    }

    /** Every object of a collection: /query, then /get of its ids by result reference. */
    all(type: string): Promise<XObject[]> {
        return this.once(`all ${type}`, async () => {
            const [, got] = await this.jmap([
                [`${type}/query`, {}, "q"],
                [`${type}/get`, { "#ids": { resultOf: "q", name: `${type}/query`, path: "/ids" } }, "g"],
            ]);
            return (got?.list as XObject[] | undefined) ?? [];
        });
    }

    /** Objects by id; missing ones are left out. */
    async byIds(type: string, ids: string[]): Promise<XObject[]> {
        const [got] = await this.jmap([[`${type}/get`, { ids }, "g"]]);
        return (got?.list as XObject[] | undefined) ?? [];
    }

    /** The x:Domain named `name` (undefined when Stalwart has none). */
    domain(name: string): Promise<XObject | undefined> {
        return this.once(`domain ${name}`, async () => {
            const [, got] = await this.jmap([
                ["x:Domain/query", { filter: { name } }, "q"],
                ["x:Domain/get", { "#ids": { resultOf: "q", name: "x:Domain/query", path: "/ids" } }, "g"],
            ]);
            return (got?.list as XObject[] | undefined)?.[0];
        });
    }

    /** SHA-256 (hex) of the registry schema the server serves: GET /api/schema → 302 /api/schema/<hash>, gzip JSON. */
    schemaSha256(): Promise<string> {
        return this.once("schema", async () => {
            const response = await this.get("/api/schema", { auth: true });
            if (response.status === 401)
                throw new CheckError(
                    `${this.access.url}/api/schema rejected the credentials from ${this.access.source} (HTTP 401)`,
                    CREDENTIALS_FIX,
                );
            if (!response.ok)
                throw new CheckError(
                    `${this.access.url}/api/schema answered HTTP ${response.status}`,
                    `is ${this.access.url} a Stalwart v0.16 management API?`,
                );
            return createHash("sha256")
                .update(await response.text())
                .digest("hex");
        });
    }

    private authorization(): string {
        if (!this.access.authorization)
            throw new CheckError(`cannot read the management API: ${this.access.source}`, CREDENTIALS_FIX);
        return this.access.authorization;
    }

    private signal(extra?: AbortSignal): AbortSignal {
        return AbortSignal.any([this.runSignal, AbortSignal.timeout(this.requestTimeoutMs), ...(extra ? [extra] : [])]);
    }

    private once<T>(key: string, load: () => Promise<T>): Promise<T> {
        let p = this.memo.get(key) as Promise<T> | undefined;
        if (!p) {
            p = load();
            this.memo.set(key, p);
        }
        return p;
    }
}
