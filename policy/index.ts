/**
 * tailwart's policy pack: the deployment's invariants, checked on the inputs a `pulumi preview` (or
 * `up`) would deploy. Each rule is a plain function in rules/ (tested by the root suite without this
 * package's node_modules); this file only hands them the engine's view of each resource.
 * Run it with `pulumi preview --policy-pack policy` (docs/ci.md).
 */
import { PolicyPack, type ReportViolation, type ResourceValidationArgs, type ResourceValidationPolicy, Secret } from "@pulumi/policy";
import { namedVolumeViolations, stalwartIsolationViolations } from "./rules/containers";
import { edgeProxyV2Violations } from "./rules/edge";
import { imagePinViolations } from "./rules/images";
import type { ResourceView } from "./rules/resource";
import { DEFAULT_PROTECTED_STACKS, retentionViolations } from "./rules/retention";
import { stackFactsFrom } from "./rules/stack";
import { clearSecretMessage, clearSecretPaths, proxyTrustViolations, stalwartObjectOf } from "./rules/stalwart";

/** The stack's config and name, as the engine passes them to the pack's process. */
const facts = stackFactsFrom(process.env);

type Proxied = { __isSpecialProxy?: boolean; __getSpecialProxyTarget?: unknown };

/**
 * The inputs as plain data. The SDK wraps them in proxies that throw on a value unknown during
 * preview (and, for remediations, unwrap secrets on read); the rules handle unknown values and
 * secrets themselves, so they get the objects underneath.
 */
function plain(props: unknown): Record<string, unknown> {
    let v = props as Proxied | undefined;
    while (v && v.__isSpecialProxy === true) v = v.__getSpecialProxyTarget as Proxied;
    return (v ?? {}) as Record<string, unknown>;
}

function viewOf(args: Pick<ResourceValidationArgs, "type" | "name" | "props" | "opts">): ResourceView {
    return { type: args.type, name: args.name, props: plain(args.props), opts: { protect: args.opts.protect } };
}

/** A mandatory policy that reports what `rule` finds on each resource. */
function mandatory(name: string, description: string, rule: (r: ResourceView, args: ResourceValidationArgs) => string[]): ResourceValidationPolicy {
    return {
        name,
        description,
        enforcementLevel: "mandatory",
        validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
            for (const message of rule(viewOf(args), args)) report(message);
        },
    };
}

/**
 * Secretness reaches only remediations (validateResource gets secrets already unwrapped), so this
 * policy runs at the `remediate` level: its remediation reads which secret fields are in clear and
 * changes nothing, and its validation, which the engine runs right after on the same resource,
 * reports them; a violation at this level counts as mandatory.
 */
const clearSecrets = new Map<string, string[]>();
const secretsNotInClear: ResourceValidationPolicy = {
    name: "stalwart-secrets-not-in-clear",
    description: "A secret field of a Stalwart x:* object is a Pulumi secret or an EnvironmentVariable/File reference, never clear text.",
    enforcementLevel: "remediate",
    remediateResource: (args) => {
        const o = stalwartObjectOf(viewOf(args));
        if (o) clearSecrets.set(args.urn, clearSecretPaths(o, (v) => v instanceof Secret));
        return undefined;
    },
    validateResource: (args, report) => {
        const o = stalwartObjectOf(viewOf(args));
        if (!o) return;
        const paths = clearSecrets.get(args.urn);
        clearSecrets.delete(args.urn);
        if (paths === undefined) {
            report(`${args.name} (${o.objectType}): its secret fields were not checked because this policy's remediation step did not run; keep stalwart-secrets-not-in-clear at the "remediate" enforcement level`);
        } else if (paths.length > 0) {
            report(clearSecretMessage(args.name, o, paths));
        }
    },
};

new PolicyPack("tailwart", {
    policies: [
        mandatory("stalwart-container-isolated", "The Stalwart container publishes no ports, has no hostname and joins the sidecar's network namespace (networkMode container:<sidecar>).", stalwartIsolationViolations),
        mandatory("named-volumes-only", "Every container mounts named docker volumes only: no bind mounts, no anonymous volumes.", namedVolumeViolations),
        mandatory("edge-proxy-protocol-v2", "The edge's caddy.json sends a PROXY protocol v2 header on every layer4 server.", edgeProxyV2Violations),
        {
            ...mandatory("data-retained", "The mail volume, the Postgres database and the Garage bucket survive `pulumi destroy` unless the stack sets tailwart:allowDataLoss (refused on protected stacks).", (r, args) =>
                retentionViolations(r, { ...facts, protectedStacks: args.getConfig<{ protectedStacks?: string[] }>().protectedStacks ?? DEFAULT_PROTECTED_STACKS }),
            ),
            configSchema: {
                properties: { protectedStacks: { type: "array", items: { type: "string" }, default: DEFAULT_PROTECTED_STACKS } },
            },
        },
        mandatory("images-pinned", "Every image is pinned: a release tag (not latest, -latest, -rc, beta or a bare major) or an @sha256 digest.", imagePinViolations),
        mandatory("stalwart-proxy-trust-per-listener", "No Stalwart listener trusts PROXY headers on the management port, and no global proxyTrustedNetworks is set.", (r) => proxyTrustViolations(r, facts.managementPorts)),
        secretsNotInClear,
    ],
});
