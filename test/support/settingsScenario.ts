// The fixture the deployment's settings scenarios share: a Stalwart simulator booted as a fresh
// v0.16 server (first-boot defaults), started anew for each scenario on the same port so one
// dynamic-provider host (reaching it through stalwart:* config only) serves them all; a restart
// hook the convergence's restartCommand calls; the dev and prod settings plans from the committed
// stack files; and views of what the server stores and runs.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { parseSettings } from "../../components/config";
import { ACME_DIRECTORIES } from "../../components/config/rules";
import { buildPlan } from "../../components/plan";
import type { StalwartObjectSpec } from "../../components/plan/stalwartSettings";
import type { SettingsProgram } from "./engine";
import { ProviderHost } from "./providerHost";
import { type JsonObject, startStalwartSimulator, type StalwartSimulator } from "./stalwart";
import { loadStackConfig } from "./stackConfig";
import { NO_STALWART_ENV } from "./stalwartProviderHost";

const ADMIN = "admin:scenario-admin-pw";
/** A readiness gate sized for a simulator. */
export const FAST = { attempts: 3, baseDelayMs: 50, liveTimeoutMs: 10_000 };
/** What the scenarios assert on: the deployment's types and the first-boot defaults around them. */
export const WATCHED = [
    "x:NetworkListener",
    "x:Domain",
    "x:DkimSignature",
    "x:AcmeProvider",
    "x:Tracer",
    "x:SystemSettings",
    "x:BlobStore",
    "x:InMemoryStore",
    "x:Role",
    "x:Authentication",
    "x:MtaRoute",
    "x:TracingStore",
    "x:MetricsStore",
];

export interface Scenario {
    sim: StalwartSimulator;
    host: ProviderHost;
    /** a simulator booted as a fresh server, replacing the last one on the same port */
    freshServer(): Promise<StalwartSimulator>;
    /** the x:* specs of a committed stack's plan, after `edit` changed its raw config */
    specs(stack: string, edit?: (raw: Record<string, any>) => void): StalwartObjectSpec[];
    /** what MailDeployment hands StalwartSettings for those specs */
    program(objects: StalwartObjectSpec[], extra?: Partial<SettingsProgram>): SettingsProgram;
    /** stored objects of the watched types, type → id → object (secrets in clear) */
    stored(): Record<string, Record<string, JsonObject>>;
    /** stored listeners by name */
    listeners(): Record<string, JsonObject>;
    /** the ports the running server has bound, sorted */
    boundPorts(): number[];
    /** the running listeners by name */
    runningListeners(): Record<string, JsonObject>;
    /** the @type of every running tracer, sorted */
    runningTracers(): string[];
}

/** Registers beforeAll/afterAll hooks; the fields are set once beforeAll ran. */
export function useSettingsScenario(): Scenario {
    let hook: Server;
    let port = 0;
    const s = {
        async freshServer() {
            await s.sim?.close();
            s.sim = await startStalwartSimulator({
                port,
                recoveryAdmin: ADMIN,
                firstBootDefaults: true,
                reachableAcmeDirectories: Object.values(ACME_DIRECTORIES),
                restartDownMs: 50,
            });
            port = Number(new URL(s.sim.url).port);
            return s.sim;
        },
        specs(stack: string, edit?: (raw: Record<string, any>) => void) {
            const raw = structuredClone(loadStackConfig(stack)) as Record<string, any>;
            edit?.(raw);
            return buildPlan(parseSettings(raw, stack)).stalwart.objects;
        },
        program(objects: StalwartObjectSpec[], extra: Partial<SettingsProgram> = {}): SettingsProgram {
            const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/`;
            const restartCommand = [
                process.execPath,
                "-e",
                `fetch(${JSON.stringify(url)}).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(2))`,
            ];
            return { objects, restartCommand, readiness: FAST, ...extra };
        },
        stored: () => Object.fromEntries(WATCHED.map((t) => [t, s.sim.stored(t)])),
        listeners: () =>
            Object.fromEntries(Object.values(s.sim.stored("x:NetworkListener")).map((l) => [String(l.name), l])),
        runningListeners: () =>
            Object.fromEntries(
                Object.values(s.sim.running().objects["x:NetworkListener"] ?? {}).map((l) => [String(l.name), l]),
            ),
        boundPorts: () =>
            Object.values(s.runningListeners())
                .flatMap((l) => Object.keys(l.bind as JsonObject))
                .map((b) => Number(b.split(":").pop()))
                .sort((a, b) => a - b),
        runningTracers: () =>
            Object.values(s.sim.running().objects["x:Tracer"] ?? {})
                .map((t) => String(t["@type"]))
                .sort(),
    } as Scenario;
    beforeAll(async () => {
        hook = createServer((_req, res) => {
            s.sim.restart().then(
                () => res.end("ok"),
                () => res.writeHead(500).end(),
            );
        });
        await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
        await s.freshServer();
        const [user, password] = ADMIN.split(":") as [string, string];
        s.host = await ProviderHost.start({
            config: { "stalwart:url": s.sim.url, "stalwart:user": user, "stalwart:password": password },
            env: NO_STALWART_ENV,
        });
    });
    afterAll(async () => {
        await s.host?.stop();
        await s.sim?.close();
        await new Promise((r) => hook?.close(r));
    });
    return s;
}
