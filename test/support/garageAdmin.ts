// An in-process stand-in for Garage's admin API v2 (bucket, key and permission endpoints), faithful to the
// JSON field names, status codes and error body `{code, message, path, region}` of Garage 2.x, plus test hooks:
// put objects into buckets, inject faults (HTTP status, dropped connection), add latency, count requests.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Permissions {
    read: boolean;
    write: boolean;
    owner: boolean;
}

export interface SimBucket {
    id: string;
    globalAliases: string[];
    /** Object key → size in bytes. */
    objects: Map<string, number>;
    /** Access key id → permissions on this bucket. */
    grants: Map<string, Permissions>;
    created: string;
}

export interface SimKey {
    id: string;
    name: string;
    secret: string;
    created: string;
}

export type Fault =
    | { kind: "status"; status: number; code?: string; message?: string }
    /**
     * Close the socket without answering (a crash or a proxy reset). With `afterHandling` the request takes
     * effect first, so the client loses only the answer.
     */
    | { kind: "drop"; afterHandling?: boolean };

export interface RecordedRequest {
    method: string;
    endpoint: string;
    query: Record<string, string>;
    status: number | "dropped";
}

class GarageError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
    ) {
        super(message);
    }
}

const INVALID_BUCKET_NAME = "Invalid bucket name. See AWS documentation for constraints on S3 bucket names";
const NO_PERMISSIONS: Permissions = { read: false, write: false, owner: false };

export class GarageAdminSimulator {
    readonly buckets = new Map<string, SimBucket>();
    readonly keys = new Map<string, SimKey>();
    /** Ids of deleted keys: Garage never lets an id be imported again. */
    private readonly deletedKeyIds = new Set<string>();
    private readonly faults: { endpoint?: string; fault: Fault }[] = [];
    readonly requests: RecordedRequest[] = [];
    latencyMs = 0;
    healthy = true;

    private constructor(
        private readonly server: Server,
        readonly url: string,
        readonly token: string,
    ) {}

    static async start(options: { token?: string } = {}): Promise<GarageAdminSimulator> {
        const token = options.token ?? randomBytes(16).toString("hex");
        let sim: GarageAdminSimulator | undefined;
        const server = createServer((req, res) => void sim?.handle(req, res));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const { port } = server.address() as AddressInfo;
        sim = new GarageAdminSimulator(server, `http://127.0.0.1:${port}`, token);
        return sim;
    }

    async stop(): Promise<void> {
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server.close(() => resolve()));
    }

    // ---- test hooks ----

    /** The next `times` requests (to `endpoint`, e.g. "CreateBucket", if given) fail with `fault`. */
    injectFault(fault: Fault, options: { endpoint?: string; times?: number } = {}): void {
        for (let i = 0; i < (options.times ?? 1); i++) this.faults.push({ endpoint: options.endpoint, fault });
    }

    pendingFaults(): number {
        return this.faults.length;
    }

    /** Requests seen, optionally only those to one endpoint ("CreateBucket", "health", ...). */
    requestCount(endpoint?: string): number {
        return endpoint ? this.requests.filter((r) => r.endpoint === endpoint).length : this.requests.length;
    }

    resetRequests(): void {
        this.requests.length = 0;
    }

    putObject(bucketAlias: string, objectKey: string, size = 1): void {
        this.requireBucketByAlias(bucketAlias).objects.set(objectKey, size);
    }

    bucketByAlias(alias: string): SimBucket | undefined {
        return [...this.buckets.values()].find((b) => b.globalAliases.includes(alias));
    }

    keysNamed(name: string): SimKey[] {
        return [...this.keys.values()].filter((k) => k.name === name);
    }

    permissionsOf(bucketAlias: string, accessKeyId: string): Permissions {
        return this.requireBucketByAlias(bucketAlias).grants.get(accessKeyId) ?? NO_PERMISSIONS;
    }

    /** Changes a grant behind the provider's back (drift). */
    setPermissions(bucketAlias: string, accessKeyId: string, permissions: Permissions): void {
        this.requireBucketByAlias(bucketAlias).grants.set(accessKeyId, { ...permissions });
    }

    /** Deletes a bucket behind the provider's back, ignoring its contents. */
    dropBucket(bucketAlias: string): void {
        this.buckets.delete(this.requireBucketByAlias(bucketAlias).id);
    }

    dropKey(accessKeyId: string): void {
        this.removeKey(accessKeyId);
    }

    private requireBucketByAlias(alias: string): SimBucket {
        const bucket = this.bucketByAlias(alias);
        if (!bucket) throw new Error(`simulator has no bucket with global alias "${alias}"`);
        return bucket;
    }

    // ---- HTTP ----

    private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://garage");
        const endpoint = url.pathname === "/health" ? "health" : url.pathname.replace(/^\/v2\//, "");
        const query = Object.fromEntries(url.searchParams);
        const record: RecordedRequest = { method: req.method ?? "GET", endpoint, query, status: 0 };
        this.requests.push(record);
        const body = await readBody(req);
        if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));

        const faultIndex = this.faults.findIndex((f) => f.endpoint === undefined || f.endpoint === endpoint);
        const fault = faultIndex >= 0 ? this.faults.splice(faultIndex, 1)[0]?.fault : undefined;
        if (fault?.kind === "drop") {
            record.status = "dropped";
            if (fault.afterHandling) {
                try {
                    this.route(record.method, endpoint, query, body);
                } catch {
                    // The answer is lost either way.
                }
            }
            req.socket.destroy();
            return;
        }
        if (fault?.kind === "status") {
            const code = fault.code ?? (fault.status === 503 ? "ServiceUnavailable" : "InternalError");
            const message = fault.message ?? `Internal error: injected fault (HTTP ${fault.status})`;
            record.status = this.sendError(res, url.pathname, new GarageError(fault.status, code, message));
            return;
        }
        if (endpoint === "health") {
            record.status = this.healthy ? 200 : 503;
            res.writeHead(record.status, { "Content-Type": "text/plain" });
            res.end(
                this.healthy
                    ? "Garage is fully operational\n"
                    : "Quorum is not available for some/all partitions, reads and writes will fail\n",
            );
            return;
        }
        try {
            if (req.headers.authorization === undefined)
                throw new GarageError(403, "AccessDenied", "Forbidden: Authorization token must be provided");
            if (req.headers.authorization.trim() !== `Bearer ${this.token}`) {
                throw new GarageError(403, "AccessDenied", "Forbidden: Invalid authorization token provided");
            }
            const result = this.route(record.method, endpoint, query, body);
            record.status = 200;
            res.writeHead(200, { "Content-Type": "application/json" });
            res.end(JSON.stringify(result ?? null));
        } catch (error) {
            const garage =
                error instanceof GarageError
                    ? error
                    : new GarageError(500, "InternalError", `Internal error: ${(error as Error).message}`);
            record.status = this.sendError(res, url.pathname, garage);
        }
    }

    private sendError(res: ServerResponse, path: string, error: GarageError): number {
        res.writeHead(error.status, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ code: error.code, message: error.message, path, region: "garage" }, null, 2));
        return error.status;
    }

    private route(method: string, endpoint: string, query: Record<string, string>, body: unknown): unknown {
        const routes: Record<string, [string, () => unknown]> = {
            ListBuckets: [
                "GET",
                () =>
                    [...this.buckets.values()].map((b) => ({
                        id: b.id,
                        created: b.created,
                        globalAliases: b.globalAliases,
                        localAliases: [],
                    })),
            ],
            GetBucketInfo: ["GET", () => this.bucketInfo(this.findBucket(query))],
            CreateBucket: ["POST", () => this.createBucket(body)],
            DeleteBucket: ["POST", () => this.deleteBucket(query)],
            ListKeys: [
                "GET",
                () =>
                    [...this.keys.values()].map((k) => ({
                        id: k.id,
                        name: k.name,
                        created: k.created,
                        expiration: null,
                        expired: false,
                    })),
            ],
            GetKeyInfo: ["GET", () => this.keyInfo(this.findKey(query), query.showSecretKey === "true")],
            CreateKey: ["POST", () => this.createKey(body)],
            ImportKey: ["POST", () => this.importKey(body)],
            DeleteKey: ["POST", () => this.deleteKey(query)],
            AllowBucketKey: ["POST", () => this.changePermissions(body, true)],
            DenyBucketKey: ["POST", () => this.changePermissions(body, false)],
        };
        const route = routes[endpoint];
        if (!route || route[0] !== method)
            throw new GarageError(400, "InvalidRequest", `Bad request: unknown API endpoint ${method} /v2/${endpoint}`);
        return route[1]();
    }

    // ---- buckets ----

    private findBucket(query: Record<string, string>): SimBucket {
        const given = ["id", "globalAlias", "search"].filter((k) => query[k] !== undefined);
        if (given.length !== 1)
            throw badRequest("Either id, globalAlias or search must be provided (but not several of them)");
        if (query.id !== undefined) {
            if (!/^[0-9a-f]{64}$/.test(query.id)) throw badRequest("Invalid bucket id");
            return this.buckets.get(query.id) ?? noSuchBucket(query.id);
        }
        if (query.globalAlias !== undefined)
            return this.bucketByAlias(query.globalAlias) ?? noSuchBucket(query.globalAlias);
        const search = query.search ?? "";
        const byAlias = this.bucketByAlias(search);
        if (byAlias) return byAlias;
        const byId = [...this.buckets.values()].filter((b) => b.id.startsWith(search));
        if (byId.length > 1) throw badRequest(`Several matching buckets: ${search}`);
        return byId[0] ?? noSuchBucket(search);
    }

    private bucketInfo(bucket: SimBucket): unknown {
        const keys = [...bucket.grants.entries()]
            .filter(([id, perm]) => this.keys.has(id) && (perm.read || perm.write || perm.owner))
            .map(([id, perm]) => ({
                accessKeyId: id,
                name: this.keys.get(id)?.name ?? "",
                permissions: { ...perm },
                bucketLocalAliases: [],
            }));
        const bytes = [...bucket.objects.values()].reduce((sum, size) => sum + size, 0);
        return {
            id: bucket.id,
            created: bucket.created,
            globalAliases: [...bucket.globalAliases],
            websiteAccess: false,
            websiteConfig: null,
            keys,
            objects: bucket.objects.size,
            bytes,
            unfinishedUploads: 0,
            unfinishedMultipartUploads: 0,
            unfinishedMultipartUploadParts: 0,
            unfinishedMultipartUploadBytes: 0,
            quotas: { maxSize: null, maxObjects: null },
        };
    }

    private createBucket(body: unknown): unknown {
        const { globalAlias } = asObject(body);
        if (globalAlias !== undefined) {
            if (typeof globalAlias !== "string" || !isValidBucketName(globalAlias))
                throw badRequest(`${String(globalAlias)}: ${INVALID_BUCKET_NAME}`);
            if (this.bucketByAlias(globalAlias))
                throw new GarageError(409, "BucketAlreadyExists", "Bucket already exists");
        }
        const bucket: SimBucket = {
            id: randomBytes(32).toString("hex"),
            globalAliases: typeof globalAlias === "string" ? [globalAlias] : [],
            objects: new Map(),
            grants: new Map(),
            created: new Date().toISOString(),
        };
        this.buckets.set(bucket.id, bucket);
        return this.bucketInfo(bucket);
    }

    private deleteBucket(query: Record<string, string>): unknown {
        const bucket = this.findBucket({ id: query.id ?? "" });
        if (bucket.objects.size > 0) throw new GarageError(409, "BucketNotEmpty", "Tried to delete a non-empty bucket");
        this.buckets.delete(bucket.id);
        return null;
    }

    // ---- keys ----

    private findKey(query: Record<string, string>): SimKey {
        if (query.id !== undefined) return this.keys.get(query.id) ?? noSuchKey(query.id);
        if (query.search === undefined) throw badRequest("Either id or search must be provided");
        const search = query.search;
        const matches = [...this.keys.values()].filter((k) => k.id.startsWith(search) || k.name === search);
        if (matches.length > 1) throw badRequest(`Multiple matching keys: ${search}`);
        return matches[0] ?? noSuchKey(search);
    }

    private keyInfo(key: SimKey, showSecret: boolean): unknown {
        const buckets = [...this.buckets.values()]
            .filter((b) => b.grants.has(key.id))
            .map((b) => ({
                id: b.id,
                globalAliases: [...b.globalAliases],
                localAliases: [],
                permissions: { ...(b.grants.get(key.id) ?? NO_PERMISSIONS) },
            }));
        return {
            name: key.name,
            accessKeyId: key.id,
            ...(showSecret ? { secretAccessKey: key.secret } : {}),
            created: key.created,
            expiration: null,
            expired: false,
            permissions: { createBucket: false },
            buckets,
        };
    }

    private createKey(body: unknown): unknown {
        const { name } = asObject(body);
        const key: SimKey = {
            id: `GK${randomBytes(12).toString("hex")}`,
            name: typeof name === "string" ? name : "Unnamed key",
            secret: randomBytes(32).toString("hex"),
            created: new Date().toISOString(),
        };
        this.keys.set(key.id, key);
        return this.keyInfo(key, true);
    }

    private importKey(body: unknown): unknown {
        const { accessKeyId, secretAccessKey, name } = asObject(body);
        if (typeof accessKeyId !== "string" || !/^GK[0-9a-f]{24}$/.test(accessKeyId))
            throw badRequest("Invalid key format");
        if (typeof secretAccessKey !== "string" || !/^[0-9a-f]{64}$/.test(secretAccessKey))
            throw badRequest("Invalid secret key format");
        if (this.keys.has(accessKeyId) || this.deletedKeyIds.has(accessKeyId)) {
            throw new GarageError(
                409,
                "KeyAlreadyExists",
                `Key ${accessKeyId} already exists in data store. Even if it is deleted, we can't let you create a new key with the same ID. Sorry.`,
            );
        }
        const key: SimKey = {
            id: accessKeyId,
            name: typeof name === "string" ? name : "Imported key",
            secret: secretAccessKey,
            created: new Date().toISOString(),
        };
        this.keys.set(key.id, key);
        return this.keyInfo(key, false);
    }

    private deleteKey(query: Record<string, string>): unknown {
        const key = this.keys.get(query.id ?? "") ?? noSuchKey(query.id ?? "");
        this.removeKey(key.id);
        return null;
    }

    private removeKey(id: string): void {
        this.keys.delete(id);
        this.deletedKeyIds.add(id);
        for (const bucket of this.buckets.values()) bucket.grants.delete(id);
    }

    private changePermissions(body: unknown, flag: boolean): unknown {
        const { bucketId, accessKeyId, permissions } = asObject(body);
        const bucket = this.findBucket({ id: String(bucketId) });
        const key = this.keys.get(String(accessKeyId)) ?? noSuchKey(String(accessKeyId));
        const requested = asObject(permissions);
        const current = { ...(bucket.grants.get(key.id) ?? NO_PERMISSIONS) };
        for (const f of ["read", "write", "owner"] as const) if (requested[f] === true) current[f] = flag;
        bucket.grants.set(key.id, current);
        return this.bucketInfo(bucket);
    }
}

function badRequest(message: string): GarageError {
    return new GarageError(400, "InvalidRequest", `Bad request: ${message}`);
}

function noSuchBucket(name: string): never {
    throw new GarageError(404, "NoSuchBucket", `Bucket not found: ${name}`);
}

function noSuchKey(id: string): never {
    throw new GarageError(404, "NoSuchAccessKey", `Access key not found: ${id}`);
}

function asObject(value: unknown): Record<string, unknown> {
    if (typeof value !== "object" || value === null) throw badRequest("expected a JSON object body");
    return value as Record<string, unknown>;
}

function isValidBucketName(name: string): boolean {
    return (
        /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) && !name.includes("..") && !/^\d+\.\d+\.\d+\.\d+$/.test(name)
    );
}

async function readBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (text === "") return undefined;
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}
