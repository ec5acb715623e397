/**
 * Pulumi mocks that record what each resource receives: its inputs (secrets keep Pulumi's secret
 * envelope) and its resource options (parent, provider, retainOnDelete, replaceOnChanges, …),
 * which the mock API alone does not show. Install before importing code that creates resources.
 */
import * as pulumi from "@pulumi/pulumi";
import { defaultState, isSecretValue, type StateFn, unwrap } from "../support/mockState";

export { defaultState, isSecretValue, type StateFn, unwrap };

export interface Registered {
    type: string;
    name: string;
    urn: string;
    custom: boolean;
    inputs: Record<string, any>;
    parent: string;
    /** provider reference `<urn>::<id>`, "" for the default provider */
    provider: string;
    dependencies: string[];
    /** property → the URNs its value came from (what the engine's delete-before-replace cascade reads) */
    propertyDependencies: Record<string, string[]>;
    retainOnDelete: boolean | undefined;
    replaceOnChanges: string[];
    ignoreChanges: string[];
    deleteBeforeReplace: boolean;
    additionalSecretOutputs: string[];
}

/** The `NAME=value` line of a container's env, and whether `envs` arrived secret. */
export function envLine(inputs: Record<string, any>, name: string): { line: string | undefined; secret: boolean } {
    const { value, secret } = unwrap<string[]>(inputs.envs);
    return { line: value.find((e) => e.startsWith(`${name}=`)), secret };
}

/** Every path under `v` where `needle` occurs outside a secret envelope. */
export function clearOccurrences(v: unknown, needle: string, path = ""): string[] {
    if (isSecretValue(v)) return [];
    if (typeof v === "string") return v.includes(needle) ? [path || "(root)"] : [];
    if (Array.isArray(v)) return v.flatMap((x, i) => clearOccurrences(x, needle, `${path}[${i}]`));
    if (typeof v === "object" && v !== null)
        return Object.entries(v).flatMap(([k, x]) => clearOccurrences(x, needle, path ? `${path}.${k}` : k));
    return [];
}

export class Registry {
    readonly all: Registered[] = [];
    /** registered with the monitor, inputs not yet seen by the mocks */
    readonly pending = new Map<string, Registered>();

    ofType(type: string): Registered[] {
        return this.all.filter((r) => r.type === type);
    }

    /** The single resource of `type` (optionally whose logical name matches), failing loudly otherwise. */
    one(type: string, name?: string | RegExp): Registered {
        const hits = this.ofType(type).filter(
            (r) => name === undefined || (typeof name === "string" ? r.name === name : name.test(r.name)),
        );
        if (hits.length !== 1) {
            throw new Error(
                `expected one ${type}${name ? ` named ${name}` : ""}, found ${hits.length}: ${this.all.map((r) => `${r.type}/${r.name}`).join(", ")}`,
            );
        }
        return hits[0]!;
    }

    byUrn(urn: string): Registered | undefined {
        return this.all.find((r) => r.urn === urn);
    }

    /** The provider resource a resource was created with. */
    providerOf(r: Registered): Registered | undefined {
        if (!r.provider) return undefined;
        return this.byUrn(r.provider.slice(0, r.provider.lastIndexOf("::")));
    }
}

function propertyDependenciesOf(req: any): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps: any, property: string) => (out[property] = deps.getUrnsList()));
    return out;
}

/**
 * setMocks (preview=false so every Output resolves) plus a tap on the mock monitor's
 * registerResource that records the request's options.
 */
export async function installMocks(opts: { stack: string; project?: string; state?: StateFn }): Promise<Registry> {
    const registry = new Registry();
    const pending = registry.pending;
    const state = opts.state ?? defaultState;
    await pulumi.runtime.setMocks(
        {
            newResource(args) {
                const extra = state(args) ?? defaultState(args) ?? {};
                const key = `${args.type}::${args.name}`;
                const rec = pending.get(key);
                if (rec) {
                    rec.inputs = args.inputs;
                    pending.delete(key);
                }
                return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
            },
            call: (args) => args.inputs,
        },
        opts.project ?? "tailwart",
        opts.stack,
        false,
    );
    const monitor = pulumi.runtime.getMonitor() as any;
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req: any, callback: unknown) => {
        const rec: Registered = {
            type: req.getType(),
            name: req.getName(),
            urn: monitor.newUrn(req.getParent(), req.getType(), req.getName()),
            custom: req.getCustom(),
            inputs: {},
            parent: req.getParent(),
            provider: req.getProvider(),
            dependencies: req.getDependenciesList(),
            propertyDependencies: propertyDependenciesOf(req),
            retainOnDelete: req.hasRetainondelete?.() === false ? undefined : req.getRetainondelete(),
            replaceOnChanges: req.getReplaceonchangesList(),
            ignoreChanges: req.getIgnorechangesList(),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        };
        registry.all.push(rec);
        pending.set(`${rec.type}::${rec.name}`, rec);
        return register(req, callback);
    };
    return registry;
}

/** Resolves an Output, failing after `ms` instead of hanging on one that never resolves. */
export function resolved<T>(o: pulumi.Output<T>, ms = 20_000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`Output did not resolve within ${ms} ms`)), ms);
        o.apply((v) => {
            clearTimeout(timer);
            resolve(v);
            return v;
        });
    });
}

/** Resolves the value and whether Pulumi treats it as secret. */
export async function secretness<T>(o: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const value = await resolved(o);
    return { value, secret: await pulumi.isSecret(o) };
}

/**
 * Waits until the mocks have seen every registered resource and no new one arrived for a while:
 * resources register asynchronously, and not all of them feed an Output a test awaits.
 */
export async function settle(registry: Registry, ms = 20_000): Promise<void> {
    const start = Date.now();
    let seen = -1;
    let quiet = 0;
    while (quiet < 3) {
        if (Date.now() - start > ms)
            throw new Error(`registrations did not settle within ${ms} ms (${registry.pending.size} pending)`);
        await new Promise((r) => setTimeout(r, 20));
        quiet = registry.pending.size === 0 && registry.all.length === seen ? quiet + 1 : 0;
        seen = registry.all.length;
    }
}
