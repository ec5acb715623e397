/**
 * StalwartSettings: a list of x:* object specs (the deployment's come from components/plan/stalwartSettings.ts) made real —
 * one StalwartObject each, ids of other objects filled in from `refs`, and one StalwartConvergence
 * over all of them that reloads, restarts and verifies as the changes need.
 */
import * as pulumi from "@pulumi/pulumi";
import { StalwartConvergence } from "./convergence";
import type { Readiness } from "./convergence/run";
import { StalwartObject } from "./object";

/** One x:* object of a StalwartSettings list: plain data, ids of other objects named by `refs`. */
export interface StalwartObjectSpec {
    /** unique within the plan; the Pulumi resource name suffix */
    key: string;
    /** the x:* type, e.g. "x:Domain" */
    objectType: string;
    /** the object's properties as Stalwart names them; ids of other objects come from `refs` */
    properties: Record<string, unknown>;
    /** dotted property path → key of the object whose id goes there */
    refs?: Record<string, string>;
    /**
     * the server echoes a secret back in clear in a field the schema does not call secret (a
     * password inside redis.url): keep the object's outputs encrypted in state
     */
    secretOutputs?: boolean;
}

/** Arguments of {@link StalwartSettings}. */
export interface StalwartSettingsArgs {
    /** the objects, each after the ones it refers to */
    objects: StalwartObjectSpec[];
    /** argv restarting the Stalwart process (e.g. docker restart over the mailbox's docker host) */
    restartCommand?: pulumi.Input<pulumi.Input<string>[]>;
    /** an address in a managed domain, to prove an OIDC default directory live */
    discoverAddress?: pulumi.Input<string>;
    /** how long a failing reload or an unconfirmed OIDC binding is retried (StalwartConvergence's short default otherwise) */
    readiness?: pulumi.Input<Partial<Readiness>>;
    /**
     * Let `pulumi destroy` (and dropping this component) change the server: created objects are then
     * deleted and adopted ones restored. Default false: every object and the convergence are
     * retained on delete, so a destroy sends nothing to Stalwart (its settings live in the database a
     * destroy keeps). Objects that leave the program during an up are removed either way, by the
     * convergence (decision 012).
     */
    allowDataLoss?: boolean;
    /** overrides what allowDataLoss implies for every object and the convergence (default: !allowDataLoss) */
    retainOnDelete?: boolean;
    /** key of the x:Directory the convergence binds as the default directory once it builds (never a spec's x:Authentication) */
    defaultDirectory?: string;
}

/** The retainOnDelete every object and the convergence of a StalwartSettings get. */
export const settingsRetainOnDelete = (args: Pick<StalwartSettingsArgs, "allowDataLoss" | "retainOnDelete">): boolean =>
    args.retainOnDelete ?? !(args.allowDataLoss ?? false);

/** Re-exported for callers that build tracked objects themselves (tests, the bench). */
export { TRACKED_CONTENT_KEY as CONTENT_KEY } from "./object";
export { volatileProperties } from "./schema/table";

/**
 * Sets `value` at a dotted path inside a copy of `target`; a last segment `name[i]` adds `value` to
 * the set `name` instead (an id joining `memberGroupIds`, one ref per member).
 */
function setPath(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
    const [head, ...rest] = path.split(".");
    const copy = { ...target };
    const member = rest.length === 0 ? /^(.+)\[\d+\]$/.exec(head!) : null;
    if (member)
        copy[member[1]!] = {
            ...((copy[member[1]!] as Record<string, unknown> | undefined) ?? {}),
            [String(value)]: true,
        };
    else
        copy[head!] =
            rest.length === 0 ? value : setPath((copy[head!] as Record<string, unknown>) ?? {}, rest.join("."), value);
    return copy;
}

/**
 * A list of x:* object specs made real: one StalwartObject each, ids of other objects filled in
 * from `refs`, and one StalwartConvergence over all of them.
 */
export class StalwartSettings extends pulumi.ComponentResource {
    /** spec key → the object's id on the server */
    declare public readonly objectIds: pulumi.Output<Record<string, string>>;
    /** the reload actions the last run issued */
    declare public readonly reloads: pulumi.Output<string[]>;
    /** changes that need a restart nobody ran */
    declare public readonly pendingRestart: pulumi.Output<string[]>;
    /** spec key → its resource */
    public readonly objects: Record<string, StalwartObject> = {};
    /** the convergence over every object */
    public readonly convergence: StalwartConvergence;

    private directoryToBind(key: string): pulumi.Output<string> {
        const dir = this.objects[key];
        if (!dir)
            throw new Error(
                `Stalwart settings: defaultDirectory ${key} is not in the list; add the x:Directory spec or drop defaultDirectory.`,
            );
        return dir.objectId;
    }

    constructor(name: string, args: StalwartSettingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:stalwart:StalwartSettings", name, {}, opts);
        const keys = new Set(args.objects.map((o) => o.key));
        const retainOnDelete = settingsRetainOnDelete(args);
        for (const spec of args.objects) {
            for (const [path, ref] of Object.entries(spec.refs ?? {})) {
                if (!keys.has(ref))
                    throw new Error(
                        `Stalwart settings object ${spec.key}: ${path} refers to ${ref}, which is not in the list; add it or drop the reference.`,
                    );
                if (!this.objects[ref])
                    throw new Error(
                        `Stalwart settings object ${spec.key}: ${path} refers to ${ref}, which comes later; list ${ref} first.`,
                    );
            }
            const refs = Object.entries(spec.refs ?? {});
            const properties = refs.length
                ? pulumi
                      .all(refs.map(([, ref]) => this.objects[ref]!.objectId))
                      .apply((ids) => refs.reduce((props, [path], i) => setPath(props, path, ids[i]), spec.properties))
                : spec.properties;
            // dependsOn is not inherited by children: each object waits for what the component waits for
            this.objects[spec.key] = new StalwartObject(
                `${name}-${spec.key}`,
                { objectType: spec.objectType, properties },
                // "managed", "properties" and "restore" would hold a secret the schema does not know as one in clear
                {
                    parent: this,
                    dependsOn: opts?.dependsOn,
                    retainOnDelete,
                    ...(spec.secretOutputs ? { additionalSecretOutputs: ["properties", "managed", "restore"] } : {}),
                },
            );
        }
        const all = Object.values(this.objects);
        // each object's own tracked form carries its accountId, content hash and volatile properties
        // (and stays secret when the object's view is kept secret)
        const tracked = all.map((o) => o.tracked);
        this.convergence = new StalwartConvergence(
            `${name}-convergence`,
            {
                objects: tracked,
                restartCommand: args.restartCommand,
                discoverAddress: args.discoverAddress,
                readiness: args.readiness,
                ...(args.defaultDirectory ? { defaultDirectoryId: this.directoryToBind(args.defaultDirectory) } : {}),
            },
            { parent: this, dependsOn: all, retainOnDelete },
        );
        this.objectIds = pulumi.all(
            Object.fromEntries(Object.entries(this.objects).map(([k, o]) => [k, o.objectId])),
        ) as pulumi.Output<Record<string, string>>;
        this.reloads = this.convergence.reloads;
        this.pendingRestart = this.convergence.pendingRestart;
        this.registerOutputs({ objectIds: this.objectIds, reloads: this.reloads, pendingRestart: this.pendingRestart });
    }
}
