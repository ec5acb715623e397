/**
 * The tailnet policy fragment tailwart needs (tagOwners, grants), as HuJSON text to merge into the
 * tailnet's policy file by hand or in the repo that owns it. Deliberately no tailscale.Acl: that
 * resource owns the *whole* policy and overwrites it on every update, wiping everyone else's rules.
 */
import * as pulumi from "@pulumi/pulumi";

/** Arguments of {@link TailnetPolicy}. */
export interface TailnetPolicyArgs {
    /** plan.tailnet.aclHujson */
    aclHujson: string;
}

/**
 * The tailnet policy fragment the deployment needs (tag owners, grants) as an output to merge by
 * hand: never a tailscale.Acl, which would overwrite the whole policy.
 */
export class TailnetPolicy extends pulumi.ComponentResource {
    /** the fragment, HuJSON */
    declare public readonly aclHujson: pulumi.Output<string>;

    constructor(name: string, args: TailnetPolicyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:tailnet:TailnetPolicy", name, {}, opts);
        this.aclHujson = pulumi.output(args.aclHujson);
        this.registerOutputs({ aclHujson: this.aclHujson });
    }
}
