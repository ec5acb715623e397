// A model of the Pulumi engine running a StalwartSettings program, driving the serialized x:* and
// convergence providers through the SDK's dynamic-provider host over gRPC, in the engine's order of
// operations: every registration in dependency order (check, then create, or diff then update or
// replace), the convergence last (it depends on every object); only after every registration, the
// deletes of resources that left the program (and of replaced ones, create-before-delete), in
// reverse dependency order; a resource registered with retainOnDelete is forgotten without a Delete
// call; destroy deletes everything in reverse dependency order. Options come from the same
// settingsRetainOnDelete the StalwartSettings component applies.
import { expect } from "vitest";
import { shippedConvergenceProvider } from "../../components/stalwart/convergence";
import { type ObjectOutputs, trackedOf } from "../../components/stalwart/object";
import { stalwartProvider } from "../../components/stalwart/provider";
import { settingsRetainOnDelete, volatileProperties } from "../../components/stalwart/settings";
import type { StalwartObjectSpec } from "../../components/plan/stalwartSettings";
import { type PlainObject, type ProviderHost, serializeProvider } from "./providerHost";

/** What a StalwartSettings component registers: its specs and the arguments that reach the convergence. */
export interface SettingsProgram {
    objects: StalwartObjectSpec[];
    restartCommand?: string[];
    discoverAddress?: string;
    readiness?: PlainObject;
    allowDataLoss?: boolean;
    retainOnDelete?: boolean;
}

interface Resource {
    name: string;
    type: string;
    id: string;
    inputs: PlainObject;
    outs: Record<string, any>;
    retainOnDelete: boolean;
}

/** One engine call, in order: what a step did to which resource. */
export interface EngineCall {
    op: "create" | "update" | "same" | "replace" | "delete" | "forget";
    name: string;
}

const CONVERGENCE = "pulumi-nodejs:dynamic/stalwart:Convergence";
const urnType = (objectType: string) => `pulumi-nodejs:dynamic/stalwart:${objectType.replace(/^x:/, "")}`;

/** Sets `value` at a dotted path inside a copy of `target` (what StalwartSettings does with refs). */
function setPath(target: PlainObject, path: string, value: unknown): PlainObject {
    const [head, ...rest] = path.split(".");
    return {
        ...target,
        [head!]: rest.length === 0 ? value : setPath((target[head!] as PlainObject) ?? {}, rest.join("."), value),
    };
}

export class EngineModel {
    /** the stack's state, in registration order (objects, then the convergence) */
    state: Resource[] = [];
    private readonly texts = new Map<string, string>();

    constructor(
        private readonly host: ProviderHost,
        private readonly prefix = "mail-settings",
    ) {}

    /** The convergence's outputs after the last up (undefined when there is none). */
    get convergence(): Record<string, any> | undefined {
        return this.state.find((r) => r.type === CONVERGENCE)?.outs;
    }

    /** Object outputs by spec key. */
    object(key: string): Record<string, any> | undefined {
        return this.state.find((r) => r.name === `${this.prefix}-${key}`)?.outs;
    }

    private async provider(objectType: string): Promise<string> {
        if (!this.texts.has(objectType)) {
            this.texts.set(
                objectType,
                await serializeProvider(
                    objectType === "convergence" ? shippedConvergenceProvider() : stalwartProvider(objectType),
                ),
            );
        }
        return this.texts.get(objectType)!;
    }

    /** `pulumi up` of a program (undefined: StalwartSettings left the program, e.g. manageSettings false). */
    async up(program: SettingsProgram | undefined): Promise<EngineCall[]> {
        const calls: EngineCall[] = [];
        const next: Resource[] = [];
        const replaced: Resource[] = [];
        const retain = program ? settingsRetainOnDelete(program) : false;
        for (const spec of program?.objects ?? []) {
            const refs = Object.entries(spec.refs ?? {});
            const ids = refs.map(([, ref]) => next.find((r) => r.name === `${this.prefix}-${ref}`)!.id);
            const properties = refs.reduce(
                (props, [path], i) => setPath(props, path, ids[i]),
                spec.properties as PlainObject,
            );
            const news = { objectType: spec.objectType, properties, __provider: await this.provider(spec.objectType) };
            next.push(
                await this.register(
                    `${this.prefix}-${spec.key}`,
                    urnType(spec.objectType),
                    news,
                    retain,
                    calls,
                    replaced,
                ),
            );
        }
        if (program) {
            const objects = next.map((r) =>
                trackedOf(r.outs as ObjectOutputs, volatileProperties(String(r.outs.objectType))),
            );
            const news = {
                objects,
                ...(program.restartCommand ? { restartCommand: program.restartCommand } : {}),
                ...(program.discoverAddress ? { discoverAddress: program.discoverAddress } : {}),
                ...(program.readiness ? { readiness: program.readiness } : {}),
                __provider: await this.provider("convergence"),
            };
            next.push(await this.register(`${this.prefix}-convergence`, CONVERGENCE, news, retain, calls, replaced));
        }
        // after every registration: what left the program, then what was replaced, last registered first
        const left = this.state.filter((r) => !next.some((n) => n.name === r.name));
        await this.deleteAll([...left, ...replaced].reverse(), calls);
        this.state = next;
        return calls;
    }

    /** `pulumi destroy`: every resource, in reverse dependency order. */
    async destroy(): Promise<EngineCall[]> {
        const calls: EngineCall[] = [];
        await this.deleteAll([...this.state].reverse(), calls);
        this.state = [];
        return calls;
    }

    private async register(
        name: string,
        type: string,
        news: PlainObject,
        retainOnDelete: boolean,
        calls: EngineCall[],
        replaced: Resource[],
    ): Promise<Resource> {
        const old = this.state.find((r) => r.name === name);
        const checked = await this.host.check(old?.inputs ?? {}, news, { name, type });
        expect(checked.failures, `check ${name}`).toEqual([]);
        const inputs = checked.inputs;
        if (!old) {
            const made = await this.host.create(inputs, { name, type });
            calls.push({ op: "create", name });
            return { name, type, id: made.id, inputs, outs: made.properties, retainOnDelete };
        }
        const diff = await this.host.diff(old.id, old.outs, inputs, { name, type, oldInputs: old.inputs });
        if (diff.changes === "none") {
            calls.push({ op: "same", name });
            return { ...old, inputs, retainOnDelete };
        }
        if (diff.replaces.length > 0) {
            if (diff.deleteBeforeReplace) await this.deleteAll([old], calls);
            else replaced.push(old);
            const made = await this.host.create(inputs, { name, type });
            calls.push({ op: "replace", name });
            return { name, type, id: made.id, inputs, outs: made.properties, retainOnDelete };
        }
        const updated = await this.host.update(old.id, old.outs, inputs, { name, type, oldInputs: old.inputs });
        calls.push({ op: "update", name });
        return { ...old, inputs, outs: updated.properties, retainOnDelete };
    }

    private async deleteAll(resources: Resource[], calls: EngineCall[]): Promise<void> {
        for (const r of resources) {
            if (r.retainOnDelete) {
                calls.push({ op: "forget", name: r.name });
                continue;
            }
            await this.host.delete(r.id, r.outs, { name: r.name, type: r.type, oldInputs: r.inputs });
            calls.push({ op: "delete", name: r.name });
        }
    }
}
