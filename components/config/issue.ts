import type { RawSettings } from "./schema";

/** One problem in a stack config: the key (dotted path under `tailwart:`) and a sentence that names the fix. */
export interface ConfigIssue {
    /** the key, a dotted path under `tailwart:` (e.g. `edge.ports`) */
    path: string;
    /** what is wrong and how to fix it */
    message: string;
}

/** One issue at a key, as the one-element list rules return. */
export const issue = (path: string, message: string): ConfigIssue[] => [{ path, message }];

export const none: ConfigIssue[] = [];

/**
 * A pitfall rule. It names the keys it reads (`needs`) and runs only when the schema found none of
 * them missing or ill-typed, so one shape error never hides the others and a rule never sees a
 * broken value.
 */
export interface Rule {
    /** the keys (dotted paths) the rule reads; a shape problem at or around any of them skips the rule */
    needs: string[];
    check(s: RawSettings, stack: string): ConfigIssue[];
}

export const rule = (needs: string[], check: Rule["check"]): Rule => ({ needs, check });
