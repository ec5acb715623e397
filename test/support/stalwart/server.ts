/**
 * The HTTP side: authentication (recovery admin over Basic, `API_…` keys over Bearer),
 * routing (/jmap, /jmap/session, /api/schema, /api/discover, /healthz/*), fault injection and
 * the down time of a simulated restart.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { BlockList, isIP, type AddressInfo, type Socket } from "node:net";
import { gzipSync } from "node:zlib";
import { ADMIN_ACCOUNT_ID } from "./ids";
import { type Caller, type Counters, JmapProcessor, KNOWN_CAPABILITIES, MAX_CALLS } from "./jmap";
import type { SetResultMaps } from "./set";
import type { RulesEnv } from "./rules";
import type { Runtime } from "./runtime";
import type { Json, JsonObject } from "./tableView";

/**
 * A /jmap request body as the simulator received it. The providers under test send well-formed
 * bodies; a test that posts a malformed one reads the shape it sent, not this one.
 */
export interface LoggedRequest {
    using: string[];
    methodCalls: [string, Record<string, unknown>, string][];
}

export interface Faults {
    // Each fault hits the next n requests, or, given `method` (e.g. "x:Tracer/set"), the next n that call it.
    /** answer with `status` (default 500) without processing */
    failNext(n: number, status?: number, method?: string): void;
    /** destroy the socket without processing or answering */
    dropNext(n: number, method?: string): void;
    /** process a /jmap request, then destroy the socket without answering */
    dropAfterCommit(n: number, method?: string): void;
    /** process a /jmap request, then answer `status` (a proxy's 502 or 504 after the upstream committed) */
    failAfterCommit(n: number, status?: number, method?: string): void;
    /**
     * hold a /jmap request `delayMs` before processing it, then process and answer: a client that
     * gave up meanwhile sees a timeout although the write still lands
     */
    applyLate(n: number, delayMs: number, method?: string): void;
    /** delay before every request is handled */
    latencyMs: number;
    /** answer the next n calls of `method` (e.g. "x:Domain/get") with the method error `type` (default serverFail); other calls run */
    failMethod(method: string, n: number, type?: string): void;
    /** how /set answers result maps with nothing in them: left out (default), present and empty, or null */
    setResultMaps: SetResultMaps;
    /** rewrites every SetError /set answers (e.g. naming the existing object by `existingId` only, docs/stalwart-facts.md#set-errors) */
    setErrorShape: ((err: JsonObject) => JsonObject) | undefined;
}

export interface HttpOptions {
    /** "user:secret" of STALWART_RECOVERY_ADMIN */
    recoveryAdmin: string;
    /** the preconfigured `API_…` key (admin-equivalent) */
    apiKey: string;
    /** the schema as a server serves it: raw text byte for byte, or a document to serialize */
    schemaDocument: Json | string;
    schemaHash: string;
}

/** A fault for the next `n` requests, or for the next `n` that call `method`. */
interface Slot {
    n: number;
    method?: string;
}

/** Does this request take one of the slot's hits? (counts it down when it does) */
function hits(slot: Slot, body: Buffer): boolean {
    if (slot.n <= 0 || (slot.method !== undefined && !body.includes(JSON.stringify(slot.method)))) return false;
    slot.n--;
    return true;
}

/** Health and the anonymous endpoints are not subject to injected faults. */
const FAULT_FREE = /^\/healthz\//;

export class HttpFront {
    readonly server: Server;
    private readonly sockets = new Set<Socket>();
    private readonly jmap: JmapProcessor;
    private readonly schemaBody: Buffer;
    private fail: Slot & { status: number } = { n: 0, status: 500 };
    private drop: Slot = { n: 0 };
    private dropCommit: Slot = { n: 0 };
    private failCommit: Slot & { status: number } = { n: 0, status: 502 };
    private late: Slot & { delayMs: number } = { n: 0, delayMs: 0 };
    /** the parsed body of every /jmap request, in order (cleared by resetCounters) */
    readonly log: LoggedRequest[] = [];
    /** "503" while a restart is simulated without closing the port */
    unavailable = false;
    /** runs before a /jmap request that creates an x:Action is processed (e.g. fetching identity providers over HTTP) */
    beforeAction: (() => Promise<void>) | undefined;
    /** false: /healthz/ready answers 503, as a server without a core data store does */
    ready = true;
    readonly faults: Faults;

    constructor(
        private readonly env: RulesEnv,
        private readonly runtime: Runtime,
        readonly counters: Counters,
        private readonly opts: HttpOptions,
    ) {
        this.jmap = new JmapProcessor(env, runtime, counters);
        this.schemaBody = gzipSync(
            Buffer.from(
                typeof opts.schemaDocument === "string" ? opts.schemaDocument : JSON.stringify(opts.schemaDocument),
            ),
        );
        const jmap = this.jmap;
        this.faults = {
            failNext: (n, status = 500, method) => {
                this.fail = { n, status, method };
            },
            failMethod: (method, n, type = "serverFail") => {
                jmap.methodFaults.set(method, { n, type });
            },
            get setResultMaps() {
                return jmap.setResultMaps;
            },
            set setResultMaps(v: SetResultMaps) {
                jmap.setResultMaps = v;
            },
            get setErrorShape() {
                return jmap.setErrorShape;
            },
            set setErrorShape(v: ((err: JsonObject) => JsonObject) | undefined) {
                jmap.setErrorShape = v;
            },
            dropNext: (n, method) => {
                this.drop = { n, method };
            },
            dropAfterCommit: (n, method) => {
                this.dropCommit = { n, method };
            },
            failAfterCommit: (n, status = 502, method) => {
                this.failCommit = { n, status, method };
            },
            applyLate: (n, delayMs, method) => {
                this.late = { n, delayMs, method };
            },
            latencyMs: 0,
        };
        this.server = createServer((req, res) => {
            this.dispatch(req, res).catch((e: unknown) => {
                if (!res.headersSent) problem(res, 500, "about:blank", String(e));
            });
        });
        this.server.on("connection", (s) => {
            this.sockets.add(s);
            s.on("close", () => this.sockets.delete(s));
        });
    }

    async listen(port = 0): Promise<number> {
        await new Promise<void>((resolve, reject) => {
            this.server.once("error", reject);
            this.server.listen(port, "127.0.0.1", () => {
                this.server.off("error", reject);
                resolve();
            });
        });
        return (this.server.address() as AddressInfo).port;
    }

    /** Stops accepting and drops every open connection (a process going away). */
    async close(): Promise<void> {
        for (const s of this.sockets) s.destroy();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
        this.counters.requests++;
        const url = new URL(req.url ?? "/", "http://localhost");
        const path = url.pathname;
        const body = await readBody(req);
        if (this.unavailable) return problem(res, 503, "about:blank", "Service restarting");
        if (!FAULT_FREE.test(path)) {
            if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
            if (hits(this.drop, body)) {
                req.socket.destroy();
                return;
            }
            if (hits(this.fail, body)) {
                return problem(res, this.fail.status, "about:blank", "Injected failure");
            }
        }
        if (path === "/healthz/live") return problem(res, 200, "about:blank", "OK", "OK");
        if (path === "/healthz/ready")
            return this.ready
                ? problem(res, 200, "about:blank", "OK", "OK")
                : problem(res, 503, "about:blank", "Service Unavailable");
        if (path === "/.well-known/jmap") return redirect(res, 307, "/jmap/session");
        if (path.startsWith("/api/discover/")) {
            return json(
                res,
                200,
                this.runtime.discover(decodeURIComponent(path.slice("/api/discover/".length)), this.baseUrl()),
            );
        }
        const header = req.headers.authorization;
        const caller = this.authenticate(header, req.socket.remoteAddress ?? "");
        // Without credentials the session lists capabilities only; bad credentials are still a 401.
        if (path === "/jmap/session" && req.method === "GET" && header === undefined)
            return json(res, 200, this.session(undefined));
        if (caller === null) return problem(res, 401, "about:blank", "You have to authenticate first.", "Unauthorized");
        if (path === "/api/schema" || path.startsWith("/api/schema/")) {
            if (path !== `/api/schema/${this.opts.schemaHash}`)
                return redirect(res, 302, `/api/schema/${this.opts.schemaHash}`);
            res.writeHead(200, {
                "content-type": "application/json",
                "content-encoding": "gzip",
                "cache-control": "public, max-age=31536000, immutable",
            });
            res.end(this.schemaBody);
            return;
        }
        if (path === "/jmap/session" && req.method === "GET") return json(res, 200, this.session(caller));
        if ((path === "/jmap" || path === "/jmap/") && req.method === "POST") {
            if (hits(this.late, body)) {
                await new Promise((r) => setTimeout(r, this.late.delayMs));
            }
            if (this.beforeAction && body.includes("x:Action/set")) await this.beforeAction();
            return this.handleJmap(req, res, body, caller);
        }
        return problem(res, 404, "about:blank", "Not found", "Not Found");
    }

    private handleJmap(req: IncomingMessage, res: ServerResponse, body: Buffer, caller: Caller): void {
        this.counters.jmapRequests++;
        const contentType = req.headers["content-type"];
        const notJson = (): void =>
            problem(
                res,
                400,
                "urn:ietf:params:jmap:error:notJSON",
                "The content type of the request was not application/json or the request did not parse as I-JSON.",
            );
        if (contentType !== undefined && !/^application\/json\b/i.test(contentType)) {
            notJson();
            return;
        }
        let parsed: unknown;
        try {
            parsed = JSON.parse(body.toString("utf8"));
        } catch {
            notJson();
            return;
        }
        this.log.push(parsed as LoggedRequest);
        const result = this.jmap.handle(parsed, caller);
        if (hits(this.dropCommit, body)) {
            req.socket.destroy();
            return;
        }
        if (hits(this.failCommit, body)) {
            problem(res, this.failCommit.status, "about:blank", "Injected failure after commit");
            return;
        }
        if ("error" in result) {
            const { status, type, detail, limit } = result.error;
            problem(res, status, type, detail, undefined, limit ? { limit } : {});
        } else json(res, 200, result.ok);
    }

    /** null = authentication failed or missing. */
    private authenticate(header: string | undefined, remote: string): Caller | null {
        if (!header) return null;
        const [scheme, token = ""] = header.split(/\s+/, 2);
        if (scheme?.toLowerCase() === "basic") {
            const decoded = Buffer.from(token, "base64").toString("utf8");
            const colon = decoded.indexOf(":");
            if (colon < 0) return null;
            const [user, secret] = [decoded.slice(0, colon).toLowerCase(), decoded.slice(colon + 1)];
            const adminColon = this.opts.recoveryAdmin.indexOf(":");
            const [adminUser, adminSecret] = [
                this.opts.recoveryAdmin.slice(0, adminColon),
                this.opts.recoveryAdmin.slice(adminColon + 1),
            ];
            return user === adminUser && secret === adminSecret ? { accountId: ADMIN_ACCOUNT_ID, admin: true } : null;
        }
        if (scheme?.toLowerCase() === "bearer" && token.startsWith("API_")) {
            if (token === this.opts.apiKey) return { accountId: ADMIN_ACCOUNT_ID, admin: true };
            const registry = this.env.registry;
            for (const [id, key] of registry.entries("x:ApiKey")) {
                const expired = typeof key.expiresAt === "string" && Date.parse(key.expiresAt) <= Date.now();
                const owner = registry.owners.get(`x:ApiKey/${id}`);
                if (key.secret === token && !expired && owner && allowedFrom(key.allowedIps, remote))
                    return { accountId: owner, admin: false, ...keyPermissions(key) };
            }
        }
        return null;
    }

    private baseUrl(): string {
        const a = this.server.address() as AddressInfo | null;
        return a ? `http://127.0.0.1:${a.port}` : "";
    }

    /** Recovery-mode session: apiUrl is the bare path; without credentials `accounts` is empty. */
    private session(caller: Caller | undefined): JsonObject {
        const capabilities: JsonObject = Object.fromEntries([...KNOWN_CAPABILITIES].map((c) => [c, {}]));
        capabilities["urn:ietf:params:jmap:core"] = {
            maxSizeUpload: 50_000_000,
            maxConcurrentUpload: 4,
            maxSizeRequest: 10_000_000,
            maxConcurrentRequests: 4,
            maxCallsInRequest: MAX_CALLS,
            maxObjectsInGet: 500,
            maxObjectsInSet: 500,
            collationAlgorithms: [],
        };
        const accounts: JsonObject = {};
        if (caller)
            accounts[caller.accountId] = {
                name: "admin",
                isPersonal: true,
                isReadOnly: false,
                accountCapabilities: { "urn:stalwart:jmap": {} },
            };
        return {
            capabilities,
            accounts,
            primaryAccounts: caller ? { "urn:stalwart:jmap": caller.accountId } : {},
            username: caller ? "admin" : "",
            apiUrl: "/jmap/",
            downloadUrl: "/jmap/download/{accountId}/{blobId}/{name}?accept={type}",
            uploadUrl: "/jmap/upload/{accountId}/",
            eventSourceUrl: "/jmap/eventsource/?types={types}&closeafter={closeafter}&ping={ping}",
            state: createHash("sha256").update(String(caller?.accountId)).digest("hex").slice(0, 8),
        };
    }
}

/** An API key's allowedIps (a set of IPs and networks; empty = anywhere) admits `remote`. */
function allowedFrom(allowed: unknown, remote: string): boolean {
    const nets = allowed && typeof allowed === "object" ? Object.keys(allowed) : [];
    if (nets.length === 0) return true;
    const address = remote.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
    const list = new BlockList();
    for (const net of nets) {
        const [ip, bits] = net.split("/") as [string, string | undefined];
        const family = isIP(ip) === 6 ? "ipv6" : "ipv4";
        if (bits === undefined) list.addAddress(ip, family);
        else list.addSubnet(ip, Number(bits), family);
    }
    return list.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
}

/** `permissions: Replace` scopes a key to exactly its list (Inherit and Disable are not modelled: every permission). */
function keyPermissions(key: JsonObject): { permissions?: ReadonlySet<string> } {
    const p = key.permissions as JsonObject | undefined;
    if (p?.["@type"] !== "Replace") return {};
    const list = p.permissions && typeof p.permissions === "object" ? Object.keys(p.permissions as JsonObject) : [];
    return { permissions: new Set(list) };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks)));
        req.on("error", reject);
    });
}

function json(res: ServerResponse, status: number, body: Json): void {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
}

function problem(
    res: ServerResponse,
    status: number,
    type: string,
    detail: string,
    title?: string,
    extra: JsonObject = {},
): void {
    res.writeHead(status, { "content-type": "application/problem+json" });
    res.end(JSON.stringify({ type, status, title: title ?? detail, detail, ...extra }));
}

function redirect(res: ServerResponse, status: number, location: string): void {
    res.writeHead(status, { location });
    res.end();
}
