/**
 * What StalwartSettings would refuse about a list of specs, as config issues naming the key they
 * come from: a key used twice, a `refs` entry naming no spec or one listed later, an object type
 * Stalwart does not have or that cannot be managed as a plain object, a singleton two specs
 * manage (their read-backs would contradict each other), and an x:Authentication.directoryId that
 * `oidc` owns (the convergence binds it once the directory builds).
 */
import type { ConfigIssue } from "../config";
import { EXCLUDED_OBJECTS } from "../stalwart/generated/excluded";
import { ACCOUNT_SCOPED } from "../stalwart/objectProvider/facts";
import { objectDescriptor } from "../stalwart/schema/table";
import type { StalwartObjectSpec } from "./stalwartSettings";

const where = (spec: StalwartObjectSpec) => spec.source ?? `stalwart settings object ${spec.key}`;

function typeProblem(spec: StalwartObjectSpec): string | undefined {
    let kind: string;
    try {
        kind = objectDescriptor(spec.objectType).kind;
    } catch (e) {
        return (e as Error).message;
    }
    if (EXCLUDED_OBJECTS[spec.objectType])
        return `${spec.objectType} cannot be managed as an object: ${EXCLUDED_OBJECTS[spec.objectType]}`;
    if (ACCOUNT_SCOPED.includes(spec.objectType))
        return `${spec.objectType} lives inside an account; stalwart.objects manages server-wide objects only`;
    return kind === "view" ? `${spec.objectType} is a web UI view, not an object` : undefined;
}

export function specListIssues(specs: StalwartObjectSpec[], oidcBound: boolean): ConfigIssue[] {
    const issues: ConfigIssue[] = [];
    const seen = new Map<string, StalwartObjectSpec>();
    const singletons = new Map<string, StalwartObjectSpec>();
    const all = new Set(specs.map((s) => s.key));
    for (const spec of specs) {
        const path = spec.source ?? "stalwart.objects";
        const add = (message: string) => issues.push({ path, message: `${where(spec)}: ${message}` });
        const first = seen.get(spec.key);
        if (first) add(`key "${spec.key}" is also ${where(first)}'s; give each object its own key`);
        const problem = typeProblem(spec);
        if (problem) add(problem);
        for (const [property, ref] of Object.entries(spec.refs ?? {})) {
            if (!all.has(ref))
                add(`refs.${property} names "${ref}", which no object has as its key (keys: ${[...all].join(", ")})`);
            else if (!seen.has(ref)) add(`refs.${property} names "${ref}", which comes later; list "${ref}" first`);
        }
        if (!problem && objectDescriptor(spec.objectType).kind === "singleton") {
            const other = singletons.get(spec.objectType);
            if (other)
                add(
                    `${spec.objectType} is a singleton that ${where(other)} (key "${other.key}") already manages; give its properties there`,
                );
            else singletons.set(spec.objectType, spec);
        }
        if (oidcBound && spec.objectType === "x:Authentication" && "directoryId" in spec.properties) {
            add("x:Authentication.directoryId is bound by oidc once its directory builds; remove directoryId here");
        }
        seen.set(spec.key, spec);
    }
    return issues;
}
