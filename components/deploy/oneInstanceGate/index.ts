/**
 * One Stalwart per data store, before it starts (decision 014): a resource between the database and
 * the Stalwart container whose creation waits until no client holds a session as the Stalwart role.
 * It is replaced, old one first, whenever the container is (its key is everything that replaces the
 * container), and the container carries its id in a label: that property dependency is what makes
 * the engine delete the old container before the old gate, so the new gate waits for the old
 * instance's sessions to drain, not for a container that is still running.
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { bundledProvider, bundleOf, PROVIDER_METHODS } from "../../bundledProvider";
import type { ReplacementKey } from "../replacementKey";

/** The label on the Stalwart container that carries the gate's id (a property dependency on the gate). */
export const ONE_INSTANCE_LABEL = "tailwart.one-instance-gate";

/** How long a new Stalwart waits for its predecessor's sessions to close (tailwart:stalwart.drainTimeoutSeconds). */
export const DEFAULT_DRAIN_SECONDS = 120;

/** Where the one-instance gate looks for sessions of Stalwart's role, and for how long. */
export interface OneInstanceGateArgs {
    /** the Postgres server, as the postgresql provider reaches it */
    host: pulumi.Input<string>;
    /** the server's port */
    port: pulumi.Input<number>;
    /** the connection's sslmode */
    sslmode: pulumi.Input<string>;
    /** the Stalwart role whose sessions must be gone */
    role: pulumi.Input<string>;
    /** the admin the postgresql provider connects as; it must see other roles' sessions (superuser or pg_read_all_stats) */
    adminUser: pulumi.Input<string>;
    /** its password, kept a Pulumi secret; without it, PGPASSWORD in the environment of `pulumi up` */
    adminPassword?: pulumi.Input<string>;
    /** the longest wait for the old instance's sessions to close (default 120) */
    drainTimeoutSeconds?: number;
    /** everything that replaces the container (replacementKey()) */
    key: ReplacementKey;
    /** the container the gate holds back and its Docker host, named in the message when it blocks */
    containerName: pulumi.Input<string>;
    /** the Docker host that container runs on */
    dockerHost: pulumi.Input<string>;
}

let provider: pulumi.dynamic.ResourceProvider | undefined;

/** What OneInstanceGate ships: the bundled shell around provider.ts's oneInstanceGateProvider(). */
export function shippedOneInstanceGateProvider(): pulumi.dynamic.ResourceProvider {
    provider ??= bundledProvider(
        bundleOf(join(__dirname, "provider")),
        "oneInstanceGateProvider",
        [],
        PROVIDER_METHODS,
    );
    return provider;
}

export class OneInstanceGate extends pulumi.dynamic.Resource {
    /** how long the last start waited for the old instance's sessions to close */
    declare public readonly waitedSeconds: pulumi.Output<number>;
    /** the addresses whose sessions closed during that wait */
    declare public readonly drained: pulumi.Output<string[]>;

    constructor(name: string, args: OneInstanceGateArgs, opts?: pulumi.CustomResourceOptions) {
        const { adminPassword, drainTimeoutSeconds, ...rest } = args;
        super(
            shippedOneInstanceGateProvider(),
            name,
            {
                waitedSeconds: undefined,
                drained: undefined,
                ...rest,
                ...(adminPassword !== undefined ? { adminPassword: pulumi.secret(adminPassword) } : {}),
                drainTimeoutSeconds: drainTimeoutSeconds ?? DEFAULT_DRAIN_SECONDS,
            },
            // replaced old-first: the engine then deletes the container (which depends on the gate's id) before this gate
            { ...opts, deleteBeforeReplace: true },
            "postgres",
            "OneInstanceGate",
        );
    }
}
