// Helpers of the operator-key unit tests: a valid stack config with edits, its plan, and the
// issues a refused one reports.
import { expect } from "vitest";
import { ConfigError, parseSettings } from "../../components/config";
import { buildPlan, type Plan } from "../../components/plan";
import { validRaw } from "./stackConfig";

export const ISSUER = "https://id.infinidim.net/application/o/stalwart/";

export function raw(edit: (r: Record<string, any>) => void): Record<string, any> {
    const r = validRaw();
    edit(r);
    return r;
}

/** The issues of a config refused by parseSettings or, past it, by buildPlan. */
export function issuesOf(r: Record<string, unknown>): { path: string; message: string }[] {
    try {
        buildPlan(parseSettings(r, "dev"));
    } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).issues;
    }
    throw new Error("expected a ConfigError");
}

export function expectIssue(r: Record<string, unknown>, path: string, message: RegExp) {
    const issues = issuesOf(r);
    const hit = issues.find((i) => i.path === path && message.test(i.message));
    expect(hit, `no issue at ${path} matching ${message}; got ${JSON.stringify(issues)}`).toBeDefined();
    // every message names its key (a list's entry by its index)
    expect(hit!.message).toContain(path.split(/[.[]/)[0]);
}

export const planOf = (r: Record<string, unknown>): Plan => buildPlan(parseSettings(r, "dev"));
export const warningsOf = (r: Record<string, unknown>) => parseSettings(r, "dev").warnings;
export const spec = (plan: Plan, key: string) => plan.stalwart.objects.find((o) => o.key === key);
