/**
 * The data rule: the mail volume, Stalwart's Postgres database and its Garage bucket survive
 * `pulumi destroy` unless the stack sets tailwart:allowDataLoss. The components keep them with
 * retainOnDelete, computed from that same key; the analyzer protocol does not carry retainOnDelete
 * (a policy sees protect, ignoreChanges, deleteBeforeReplace, aliases, customTimeouts,
 * additionalSecretOutputs and parent), so this rule checks what it can see: the stack config's
 * allowDataLoss, which is what turns retention off, and the inputs that lose data whatever it says.
 * See docs/decisions/010-policy-pack.md.
 */
import { isRecord, type ResourceView, TYPES } from "./resource";
import type { StackFacts } from "./stack";

export type DataKind = "mail volume" | "database" | "bucket";

/** Stacks where allowDataLoss needs the policy config's consent too, unless the pack is configured otherwise. */
export const DEFAULT_PROTECTED_STACKS = ["prod"];

export interface RetentionContext extends Pick<StackFacts, "stack" | "allowDataLoss" | "dataVolume"> {
    /** stacks whose allowDataLoss the pack refuses (policy config `protectedStacks`) */
    protectedStacks: readonly string[];
}

/** Which of the three data resources `r` is, if any. */
export function dataKindOf(r: ResourceView, dataVolume: string): DataKind | undefined {
    if (r.type === TYPES.volume) return r.props.name === dataVolume ? "mail volume" : undefined;
    if (r.type === TYPES.database) return "database";
    if (r.type === TYPES.bucketGrant) return "bucket";
    return undefined;
}

/** A docker volume whose data lives in memory (local driver with `type=tmpfs`). */
function inMemory(props: Record<string, unknown>): boolean {
    const opts = props.driverOpts;
    return isRecord(opts) && opts.type === "tmpfs";
}

export function retentionViolations(r: ResourceView, ctx: RetentionContext): string[] {
    const kind = dataKindOf(r, ctx.dataVolume);
    if (!kind) return [];
    const out: string[] = [];
    if (kind === "mail volume" && inMemory(r.props)) {
        out.push(
            `mail volume ${JSON.stringify(r.props.name)} (${r.name}) is a tmpfs volume: the mail is lost on every host restart whatever allowDataLoss says; drop driverOpts.type=tmpfs`,
        );
    }
    if (ctx.allowDataLoss && ctx.protectedStacks.includes(ctx.stack) && r.opts?.protect !== true) {
        out.push(
            `${kind} ${r.name} would be deleted by \`pulumi destroy\`: stack ${ctx.stack} sets tailwart:allowDataLoss, and the policy pack protects ${ctx.stack}. Unset allowDataLoss, or, to really delete its data, remove ${ctx.stack} from the data-retained policy's protectedStacks (--policy-pack-config)`,
        );
    }
    return out;
}
