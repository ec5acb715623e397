/**
 * tailwart's policy pack: the deployment's invariants, checked on the inputs a `pulumi preview` (or
 * `up`) would deploy. Each rule is a plain function in rules/ (tested by the root suite without this
 * package's node_modules); this file only hands them the engine's view of each resource.
 * Run it with `pulumi preview --policy-pack policy` (docs/ci.md).
 */
import {
    PolicyPack,
    type ReportViolation,
    type ResourceValidationArgs,
    type ResourceValidationPolicy,
    Secret,
} from "@pulumi/policy";
import { type Rule, type RuleContext, RULES, SECRETS_RULE } from "./rules";
import type { ResourceView } from "./rules/resource";
import { DEFAULT_PROTECTED_STACKS } from "./rules/retention";
import { stackFactsFrom } from "./rules/stack";

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

function contextOf(args: Pick<ResourceValidationArgs, "getConfig">): RuleContext {
    const config = args.getConfig<{ protectedStacks?: string[] }>();
    return {
        facts,
        protectedStacks: config.protectedStacks ?? DEFAULT_PROTECTED_STACKS,
        isSecret: (v) => v instanceof Secret,
    };
}

/** A mandatory policy that reports what its rule finds on each resource. */
function mandatory(name: string, rule: Rule): ResourceValidationPolicy {
    return {
        name,
        description: rule.description,
        enforcementLevel: "mandatory",
        validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
            for (const message of rule.check(viewOf(args), contextOf(args))) report(message);
        },
    };
}

/**
 * Secretness reaches only remediations (validateResource gets secrets already unwrapped), so this
 * policy runs at the `remediate` level: its remediation finds the secret fields in clear and changes
 * nothing, and its validation, which the engine runs right after on the same resource, reports
 * them; the engine counts a violation at this level as mandatory.
 */
function secretsPolicy(rule: Rule): ResourceValidationPolicy {
    const found = new Map<string, string[]>();
    return {
        name: SECRETS_RULE,
        description: rule.description,
        enforcementLevel: "remediate",
        remediateResource: (args) => {
            found.set(args.urn, rule.check(viewOf(args), contextOf(args)));
            return undefined;
        },
        validateResource: (args, report) => {
            const messages = found.get(args.urn);
            found.delete(args.urn);
            if (messages !== undefined) {
                for (const message of messages) report(message);
            } else if (
                args.type.startsWith("pulumi-nodejs:dynamic") &&
                typeof plain(args.props).objectType === "string"
            ) {
                report(
                    `${args.name}: its secret fields were not checked because this policy's remediation did not run; keep ${SECRETS_RULE} at the "remediate" enforcement level`,
                );
            }
        },
    };
}

new PolicyPack("tailwart", {
    policies: Object.entries(RULES).map(([name, rule]): ResourceValidationPolicy => {
        if (name === SECRETS_RULE) return secretsPolicy(rule);
        const policy = mandatory(name, rule);
        return name === "data-retained"
            ? {
                  ...policy,
                  configSchema: {
                      properties: {
                          protectedStacks: {
                              type: "array",
                              items: { type: "string" },
                              default: DEFAULT_PROTECTED_STACKS,
                          },
                      },
                  },
              }
            : policy;
    }),
});
