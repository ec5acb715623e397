/**
 * ts-stalwart: the Tailscale container (kernel networking) that owns the mailbox's network
 * namespace. Its auth key is either a fresh single-use tailscale.TailnetKey or the stack's OAuth
 * client secret, which mints a key at login (the `?ephemeral=…` suffix chooses that key's flags;
 * the spec already passes `--advertise-tags`, which an OAuth login requires).
 */
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as tailscale from "@pulumi/tailscale";
import { plannedContainer } from "./plannedContainer";
import type { TailnetAuthPlan } from "../plan";
import type { ContainerSpec, VolumeSpec } from "../plan/spec";
import { oauthAuthKeySuffix } from "../plan/mailboxSpec";

/** Arguments of {@link TailscaleSidecar}. */
export interface TailscaleSidecarArgs {
    /** plan.mailbox.sidecar */
    container: ContainerSpec;
    /** the mailbox host's volumes (plan.mailbox.volumes); the sidecar's mounts must be among them */
    volumes: VolumeSpec[];
    /** plan.tailnet.auth */
    auth: TailnetAuthPlan;
    /** the OAuth client secret from the stack config; required when auth.kind is "oauth" */
    oauthClientSecret?: pulumi.Input<string>;
    /** the mailbox host's docker provider */
    dockerProvider: docker.Provider;
}

function authKeyFor(name: string, args: TailscaleSidecarArgs, parent: pulumi.Resource): pulumi.Output<string> {
    const auth = args.auth;
    if (auth.kind === "oauth") {
        if (args.oauthClientSecret === undefined) {
            throw new Error(
                `TailscaleSidecar ${name}: tailscale.auth is oauth but no OAuth client secret was given; set tailscale.oauthClientSecret with \`pulumi config set --secret\``,
            );
        }
        return pulumi.secret(pulumi.interpolate`${args.oauthClientSecret}${oauthAuthKeySuffix(auth.ephemeral)}`);
    }
    const key = new tailscale.TailnetKey(
        `${name}-key`,
        {
            ephemeral: auth.ephemeral,
            preauthorized: auth.preauthorized,
            reusable: auth.reusable,
            expiry: auth.expirySeconds,
            tags: auth.tags,
            description: auth.description,
            // A single-use key is spent at the first login and expires a day later. Recreating it
            // then would change the sidecar's env and so replace the sidecar and Stalwart on every
            // later `pulumi up`; the persisted state (TS_AUTH_ONCE) doesn't need the key again.
            // A deliberate re-login: `pulumi up --replace <this key's URN>`.
            recreateIfInvalid: "never",
        },
        { parent },
    );
    return pulumi.secret(key.key);
}

/**
 * The Tailscale sidecar on the mailbox host (kernel networking): its network namespace is the one
 * Stalwart joins. It logs in with a minted tailscale.TailnetKey or an OAuth client secret.
 */
export class TailscaleSidecar extends pulumi.ComponentResource {
    /** the docker container's name */
    declare public readonly containerName: pulumi.Output<string>;
    /** the docker container's id */
    declare public readonly containerId: pulumi.Output<string>;

    constructor(name: string, args: TailscaleSidecarArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:mailbox:TailscaleSidecar", name, {}, opts);
        const authKey = authKeyFor(name, args, this);
        const { container } = plannedContainer(this, name, {
            container: args.container,
            volumes: args.volumes,
            secrets: { tailscaleAuthKey: authKey },
            dockerProvider: args.dockerProvider,
            // Stalwart reaches its stores over the tailnet as it starts: wait until the node has an IP.
            waitHealthySeconds: 180,
        });
        this.containerName = container.name;
        this.containerId = container.id;
        this.registerOutputs({ containerName: this.containerName, containerId: this.containerId });
    }
}
