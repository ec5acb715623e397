// Drives the Pulumi SDK's own dynamic-provider host (@pulumi/pulumi/cmd/dynamic-provider) over gRPC with the
// engine's protobuf messages, so a provider runs serialized, in its own process, exactly as under `pulumi up`.
//
//   const host = await ProviderHost.start({ config: { "garage:adminToken": "t" } });
//   const { inputs } = await host.check({}, { ...news, __provider: await serializeProvider(provider) });
//   const { id, properties } = await host.create(inputs);
//   await host.stop();
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";

/** The value the engine sends for properties it cannot know yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Key and value marking an engine-style secret: `{ [SECRET_SIG_KEY]: SECRET_SIG, value }`. */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export type PlainObject = Record<string, unknown>;

/** Wraps a value the way the engine marks secrets on the wire. */
export function engineSecret(value: unknown): PlainObject {
    return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

/** Serializes a dynamic provider exactly like `pulumi.dynamic.Resource` does; the result goes into `__provider`. */
export async function serializeProvider(provider: object): Promise<string> {
    const serialized = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    return serialized.text;
}

const PROJECT_ROOT = join(__dirname, "..", "..");
const DEFAULT_TYPE = "pulumi-nodejs:dynamic:Resource";
const CALL_DEADLINE_MS = 60_000;
const START_TIMEOUT_MS = 20_000;

export interface ProviderHostOptions {
    /** The host's cwd: serialized providers resolve `require("x")` from here. Defaults to the project root. */
    cwd?: string;
    project?: string;
    stack?: string;
    /** Sent with `configure`, keys as the engine sends them: `"<namespace>:<key>"`. */
    config?: PlainObject;
    /** Extra environment for the host process (merged over this process's env). */
    env?: Record<string, string | undefined>;
}

/** Per-call resource identity; the engine derives the URN from these. */
export interface CallTarget {
    name?: string;
    type?: string;
}

export interface CheckFailure {
    property: string;
    reason: string;
}

export interface CheckResult {
    inputs: PlainObject;
    failures: CheckFailure[];
}

export type PropertyDiffKind = "add" | "addReplace" | "delete" | "deleteReplace" | "update" | "updateReplace";

export interface DiffResult {
    changes: "none" | "some" | "unknown";
    replaces: string[];
    stables: string[];
    deleteBeforeReplace: boolean;
    detailedDiff?: Record<string, { kind: PropertyDiffKind; inputDiff: boolean }>;
}

export interface ReadResult {
    /** Empty when the provider reports the resource as gone. */
    id: string;
    properties: PlainObject;
    inputs?: PlainObject;
}

/** A failed gRPC call: `method` names the RPC, `code` is the gRPC status (2 = UNKNOWN for provider throws). */
export class ProviderHostError extends Error {
    constructor(
        readonly method: string,
        readonly code: number,
        readonly details: string,
    ) {
        super(`${method}: ${details}`);
        this.name = "ProviderHostError";
    }
}

const DIFF_CHANGES: Record<number, DiffResult["changes"]> = {
    [provproto.DiffResponse.DiffChanges.DIFF_NONE]: "none",
    [provproto.DiffResponse.DiffChanges.DIFF_SOME]: "some",
    [provproto.DiffResponse.DiffChanges.DIFF_UNKNOWN]: "unknown",
};

const DIFF_KINDS: Record<number, PropertyDiffKind> = {
    [provproto.PropertyDiff.Kind.ADD]: "add",
    [provproto.PropertyDiff.Kind.ADD_REPLACE]: "addReplace",
    [provproto.PropertyDiff.Kind.DELETE]: "delete",
    [provproto.PropertyDiff.Kind.DELETE_REPLACE]: "deleteReplace",
    [provproto.PropertyDiff.Kind.UPDATE]: "update",
    [provproto.PropertyDiff.Kind.UPDATE_REPLACE]: "updateReplace",
};

/** Struct.fromJavaScript rejects `undefined`; the engine never sends it, so drop it the way JSON does. */
function toStruct(value: PlainObject): Struct {
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}

function fromStruct(value: Struct | undefined): PlainObject {
    return (value?.toJavaScript() ?? {}) as PlainObject;
}

type Callback<Res> = (error: grpc.ServiceError | null, response: Res) => void;

export class ProviderHost {
    private readonly stdoutLines: string[] = [];
    private readonly stderrChunks: string[] = [];

    private constructor(
        private readonly child: ChildProcess,
        private readonly client: ResourceProviderClient,
        readonly port: number,
        readonly project: string,
        readonly stack: string,
        initialStdout: string,
    ) {
        this.stdoutLines.push(...initialStdout.split("\n").filter((line) => line !== ""));
        child.stdout?.on("data", (chunk: Buffer) => {
            this.stdoutLines.push(
                ...chunk
                    .toString()
                    .split("\n")
                    .filter((line) => line !== ""),
            );
        });
        child.stderr?.on("data", (chunk: Buffer) => this.stderrChunks.push(chunk.toString()));
    }

    /** Spawns the host, waits for the port it prints, connects and sends `configure`. */
    static async start(options: ProviderHostOptions = {}): Promise<ProviderHost> {
        const cwd = options.cwd ?? PROJECT_ROOT;
        const project = options.project ?? "tailwart";
        const stack = options.stack ?? "test";
        const entry = require.resolve("@pulumi/pulumi/cmd/dynamic-provider/index.js", { paths: [cwd, __dirname] });
        // An `undefined` in options.env removes that variable from the host's environment.
        const env = Object.fromEntries(
            Object.entries({ ...process.env, ...options.env }).filter(
                (entry): entry is [string, string] => entry[1] !== undefined,
            ),
        );
        // The engine address argument must be present; this host never dials it.
        const child = spawn(process.execPath, [entry, "127.0.0.1:1"], {
            cwd,
            env: { ...env, PULUMI_NODEJS_PROJECT: project, PULUMI_NODEJS_STACK: stack },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const { port, rest } = await readPort(child);
        const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
        const host = new ProviderHost(child, client, port, project, stack, rest);
        try {
            await host.configure(options.config ?? {});
        } catch (error) {
            await host.stop();
            throw error;
        }
        return host;
    }

    /** The host's process id (the only process `stop` signals). */
    get pid(): number | undefined {
        return this.child.pid;
    }

    /** Lines the host (and providers it runs) printed to stdout after the port. */
    get stdout(): readonly string[] {
        return this.stdoutLines;
    }

    get stderr(): string {
        return this.stderrChunks.join("");
    }

    urn(name = "res", type = DEFAULT_TYPE): string {
        return `urn:pulumi:${this.stack}::${this.project}::${type}::${name}`;
    }

    async pluginInfo(): Promise<string> {
        const info = await this.unary<PluginInfo>("getPluginInfo", (cb) => this.client.getPluginInfo(new Empty(), cb));
        return info.getVersion();
    }

    async configure(config: PlainObject): Promise<{ acceptSecrets: boolean }> {
        const req = new provproto.ConfigureRequest();
        req.setArgs(toStruct(config));
        req.setAcceptsecrets(true);
        req.setAcceptresources(true);
        const res = await this.unary<provproto.ConfigureResponse>("configure", (cb) => this.client.configure(req, cb));
        return { acceptSecrets: res.getAcceptsecrets() };
    }

    async check(olds: PlainObject, news: PlainObject, target: CallTarget = {}): Promise<CheckResult> {
        const req = new provproto.CheckRequest();
        this.target(req, target);
        req.setOlds(toStruct(olds));
        req.setNews(toStruct(news));
        const res = await this.unary<provproto.CheckResponse>("check", (cb) => this.client.check(req, cb));
        return {
            inputs: fromStruct(res.getInputs()),
            failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    /** `olds` are the old outputs; `oldInputs` default to them, as after a create whose outputs echo inputs. */
    async diff(
        id: string,
        olds: PlainObject,
        news: PlainObject,
        target: CallTarget & { oldInputs?: PlainObject } = {},
    ): Promise<DiffResult> {
        const req = new provproto.DiffRequest();
        this.target(req, target);
        req.setId(id);
        req.setOlds(toStruct(olds));
        req.setNews(toStruct(news));
        req.setOldInputs(toStruct(target.oldInputs ?? olds));
        const res = await this.unary<provproto.DiffResponse>("diff", (cb) => this.client.diff(req, cb));
        const result: DiffResult = {
            changes: DIFF_CHANGES[res.getChanges()] ?? "unknown",
            replaces: res.getReplacesList(),
            stables: res.getStablesList(),
            deleteBeforeReplace: res.getDeletebeforereplace(),
        };
        if (res.getHasdetaileddiff()) {
            const detailed: NonNullable<DiffResult["detailedDiff"]> = {};
            res.getDetaileddiffMap().forEach((entry, key) => {
                detailed[key] = { kind: DIFF_KINDS[entry.getKind()] ?? "update", inputDiff: entry.getInputdiff() };
            });
            result.detailedDiff = detailed;
        }
        return result;
    }

    async create(properties: PlainObject, target: CallTarget = {}): Promise<{ id: string; properties: PlainObject }> {
        const req = new provproto.CreateRequest();
        this.target(req, target);
        req.setProperties(toStruct(properties));
        req.setTimeout(CALL_DEADLINE_MS / 1000);
        const res = await this.unary<provproto.CreateResponse>("create", (cb) => this.client.create(req, cb));
        return { id: res.getId(), properties: fromStruct(res.getProperties()) };
    }

    async read(
        id: string,
        properties: PlainObject,
        inputs?: PlainObject,
        target: CallTarget = {},
    ): Promise<ReadResult> {
        const req = new provproto.ReadRequest();
        this.target(req, target);
        req.setId(id);
        req.setProperties(toStruct(properties));
        if (inputs) req.setInputs(toStruct(inputs));
        const res = await this.unary<provproto.ReadResponse>("read", (cb) => this.client.read(req, cb));
        const result: ReadResult = { id: res.getId(), properties: fromStruct(res.getProperties()) };
        if (res.hasInputs()) result.inputs = fromStruct(res.getInputs());
        return result;
    }

    async update(
        id: string,
        olds: PlainObject,
        news: PlainObject,
        target: CallTarget & { oldInputs?: PlainObject } = {},
    ): Promise<{ properties: PlainObject }> {
        const req = new provproto.UpdateRequest();
        this.target(req, target);
        req.setId(id);
        req.setOlds(toStruct(olds));
        req.setNews(toStruct(news));
        req.setOldInputs(toStruct(target.oldInputs ?? olds));
        req.setTimeout(CALL_DEADLINE_MS / 1000);
        const res = await this.unary<provproto.UpdateResponse>("update", (cb) => this.client.update(req, cb));
        return { properties: fromStruct(res.getProperties()) };
    }

    async delete(
        id: string,
        properties: PlainObject,
        target: CallTarget & { oldInputs?: PlainObject } = {},
    ): Promise<void> {
        const req = new provproto.DeleteRequest();
        this.target(req, target);
        req.setId(id);
        req.setProperties(toStruct(properties));
        req.setOldInputs(toStruct(target.oldInputs ?? properties));
        req.setTimeout(CALL_DEADLINE_MS / 1000);
        await this.unary<Empty>("delete", (cb) => this.client.delete(req, cb));
    }

    /** Closes the channel and ends the host process this instance spawned (SIGTERM, then SIGKILL after 5 s). */
    async stop(): Promise<void> {
        this.client.close();
        if (this.child.exitCode !== null || this.child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
        this.child.kill("SIGTERM");
        const killTimer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(killTimer);
    }

    private target(req: { setUrn(urn: string): unknown }, target: CallTarget): void {
        req.setUrn(this.urn(target.name, target.type));
        const named = req as { setName?: (name: string) => unknown; setType?: (type: string) => unknown };
        named.setName?.(target.name ?? "res");
        named.setType?.(target.type ?? DEFAULT_TYPE);
    }

    private unary<Res>(method: string, invoke: (cb: Callback<Res>) => void): Promise<Res> {
        return new Promise<Res>((resolve, reject) => {
            const timer = setTimeout(
                () =>
                    reject(
                        new ProviderHostError(
                            method,
                            grpc.status.DEADLINE_EXCEEDED,
                            `no answer in ${CALL_DEADLINE_MS} ms`,
                        ),
                    ),
                CALL_DEADLINE_MS,
            );
            invoke((error, response) => {
                clearTimeout(timer);
                if (error) reject(new ProviderHostError(method, error.code, error.details || error.message));
                else resolve(response);
            });
        });
    }
}

/** The host prints its port as the first stdout line; anything after it is provider output. */
function readPort(child: ChildProcess): Promise<{ port: number; rest: string }> {
    return new Promise((resolve, reject) => {
        let buffered = "";
        let stderr = "";
        const onStderr = (chunk: Buffer) => {
            stderr += chunk.toString();
        };
        const cleanup = () => {
            clearTimeout(timer);
            child.stdout?.off("data", onStdout);
            child.stderr?.off("data", onStderr);
            child.off("exit", onExit);
        };
        const onStdout = (chunk: Buffer) => {
            buffered += chunk.toString();
            const newline = buffered.indexOf("\n");
            if (newline < 0) return;
            cleanup();
            const port = Number(buffered.slice(0, newline).trim());
            if (!Number.isInteger(port) || port <= 0) {
                child.kill("SIGTERM");
                reject(
                    new Error(`provider host printed ${JSON.stringify(buffered.slice(0, newline))} instead of a port`),
                );
                return;
            }
            resolve({ port, rest: buffered.slice(newline + 1) });
        };
        const onExit = (code: number | null) => {
            cleanup();
            reject(new Error(`provider host exited (code ${code}) before printing its port: ${stderr.trim()}`));
        };
        const timer = setTimeout(() => {
            cleanup();
            child.kill("SIGTERM");
            reject(new Error(`provider host printed no port within ${START_TIMEOUT_MS} ms: ${stderr.trim()}`));
        }, START_TIMEOUT_MS);
        child.stdout?.on("data", onStdout);
        child.stderr?.on("data", onStderr);
        child.once("exit", onExit);
    });
}
