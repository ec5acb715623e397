import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { shipProvider } from "../../bundledProvider";
import type { TrackedObject } from "./changes";
import type { Readiness } from "./run";

export { effectOf, effectsOf } from "../effects";
export { planConvergence, type TrackedObject } from "./changes";

/** Arguments of {@link StalwartConvergence}. */
export interface StalwartConvergenceArgs {
    /** the managed objects: type, id and the server's view after the write (StalwartObject outputs) */
    objects: pulumi.Input<pulumi.Input<TrackedObject>[]>;
    /** argv that restarts the Stalwart process when a change needs it; without it, pendingRestart lists what waits */
    restartCommand?: pulumi.Input<pulumi.Input<string>[]>;
    /** an address in a managed domain, to prove an OIDC default directory is live via /api/discover */
    discoverAddress?: pulumi.Input<string>;
    /** how long a failing reload or an unconfirmed OIDC binding is retried (a short gate by default) */
    readiness?: pulumi.Input<Partial<Readiness>>;
    /** the x:Directory to bind as the default directory once a reload built it (binding.ts) */
    defaultDirectoryId?: pulumi.Input<string>;
}

/** What StalwartConvergence ships: the bundled shell around the provider core provider.ts (convergenceProvider). */
export const shippedConvergenceProvider = (): pulumi.dynamic.ResourceProvider =>
    shipProvider(join(__dirname, "provider"), "convergenceProvider");

/**
 * Makes stored x:* settings effective: issues each reload action a change needs once per `up`
 * (a failing reload is retried as a readiness gate, then fails naming the object), restarts
 * Stalwart through `restartCommand` when a change needs a restart, waits for /healthz/live, and
 * verifies every object reads back as written (and the OIDC binding through /api/discover).
 * Depend on it (dependsOn) from anything that needs the settings live.
 */
export class StalwartConvergence extends pulumi.dynamic.Resource {
    /** objects that left the program in the last apply: "restored …" (adopted) or "deleted …" (created) */
    declare public readonly retired: pulumi.Output<string[]>;
    /** the reload actions the last run issued (x:Action types), each once */
    declare public readonly reloads: pulumi.Output<string[]>;
    /** whether the last run restarted Stalwart */
    declare public readonly restarted: pulumi.Output<boolean>;
    /** changes that need a restart nobody ran (no restartCommand); empty once converged */
    declare public readonly pendingRestart: pulumi.Output<string[]>;
    /** how many objects read back as written */
    declare public readonly verified: pulumi.Output<number>;
    /** the OIDC default directory proven live through /api/discover, "" when none */
    declare public readonly directoryBinding: pulumi.Output<string>;

    constructor(name: string, args: StalwartConvergenceArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            shippedConvergenceProvider(),
            name,
            {
                retired: undefined,
                reloads: undefined,
                restarted: undefined,
                pendingRestart: undefined,
                verified: undefined,
                directoryBinding: undefined,
                ...args,
            },
            opts,
            "stalwart",
            "Convergence",
        );
    }
}
