/**
 * The pack's rules by policy name: what policy/index.ts registers and what the tests run over the
 * resources MailDeployment registers. Each rule returns one message per violation (empty: compliant).
 */
import { namedVolumeViolations, stalwartIsolationViolations } from "./containers";
import { edgeProxyV2Violations } from "./edge";
import { imagePinViolations } from "./images";
import type { ResourceView } from "./resource";
import { retentionViolations } from "./retention";
import type { StackFacts } from "./stack";
import { clearSecretMessage, clearSecretPaths, proxyTrustViolations, stalwartObjectOf } from "./stalwart";

export interface RuleContext {
    facts: StackFacts;
    /** stacks whose allowDataLoss the pack refuses (the data-retained policy's config) */
    protectedStacks: readonly string[];
    /** how a Pulumi secret looks in the props this rule is given */
    isSecret: (v: unknown) => boolean;
}

export interface Rule {
    description: string;
    check: (r: ResourceView, ctx: RuleContext) => string[];
}

export const SECRETS_RULE = "stalwart-secrets-not-in-clear";

export const RULES: Record<string, Rule> = {
    "stalwart-container-isolated": {
        description:
            "The Stalwart container publishes no ports, has no hostname and joins the sidecar's network namespace (networkMode container:<sidecar>).",
        check: (r) => stalwartIsolationViolations(r),
    },
    "named-volumes-only": {
        description: "Every container mounts named docker volumes only: no bind mounts, no anonymous volumes.",
        check: (r) => namedVolumeViolations(r),
    },
    "edge-proxy-protocol-v2": {
        description: "The edge's caddy.json sends a PROXY protocol v2 header on every layer4 server.",
        check: (r) => edgeProxyV2Violations(r),
    },
    "data-retained": {
        description:
            "The mail volume, the Postgres database and the Garage bucket survive `pulumi destroy` unless the stack sets tailwart:allowDataLoss (refused on protected stacks).",
        check: (r, ctx) => retentionViolations(r, { ...ctx.facts, protectedStacks: ctx.protectedStacks }),
    },
    "images-pinned": {
        description:
            "Every image is pinned: a release tag (not latest, -latest, -rc, beta or a bare major) or an @sha256 digest.",
        check: (r) => imagePinViolations(r),
    },
    "stalwart-proxy-trust-per-listener": {
        description:
            "No Stalwart listener trusts PROXY headers on the management port, and no global proxyTrustedNetworks is set.",
        check: (r, ctx) => proxyTrustViolations(r, ctx.facts.managementPorts),
    },
    [SECRETS_RULE]: {
        description:
            "A secret field of a Stalwart x:* object is a Pulumi secret or an EnvironmentVariable/File reference, never clear text.",
        check: (r, ctx) => {
            const o = stalwartObjectOf(r);
            const paths = o ? clearSecretPaths(o, ctx.isSecret) : [];
            return o && paths.length > 0 ? [clearSecretMessage(r.name, o, paths)] : [];
        },
    },
};
