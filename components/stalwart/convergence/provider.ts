/**
 * The dynamic provider behind StalwartConvergence. Diff says "changed" only when a managed object's
 * view changed (so a no-op `up` issues no reload and no restart); create and update run `converge`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configFrom, resolveConnection, type StalwartConfig } from "../credentials";
import { UNKNOWN } from "../normalize";
import { planConvergence, stable, type TrackedObject } from "./changes";
import { type ConvergenceInputs, converge } from "./run";
import type { EngineRecord } from "../../bundledProvider";

/** The engine's untyped records (components/bundledProvider.ts). */
type EngineProps = EngineRecord;

function checkInputs(news: EngineProps): pulumi.dynamic.CheckFailure[] {
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (!Array.isArray(news.objects))
        failures.push({
            property: "objects",
            reason: "must be a list of {objectType, objectId, accountId?, properties}",
        });
    else
        news.objects.forEach((item: unknown, i: number) => {
            if (item === UNKNOWN) return;
            const o = item as { objectType?: unknown; objectId?: unknown; accountId?: unknown } | undefined;
            if (typeof o?.objectType !== "string" || !o.objectType.startsWith("x:"))
                failures.push({ property: `objects[${i}].objectType`, reason: "must be an x:* object type" });
            if (typeof o?.objectId !== "string" || o.objectId === "")
                failures.push({ property: `objects[${i}].objectId`, reason: "must be the object's id" });
            if (
                o?.accountId !== undefined &&
                o.accountId !== null &&
                o.accountId !== UNKNOWN &&
                (typeof o.accountId !== "string" || o.accountId === "")
            ) {
                failures.push({
                    property: `objects[${i}].accountId`,
                    reason: "must be the id of the account an account-scoped object lives in, or left out",
                });
            }
        });
    if (
        news.restartCommand !== undefined &&
        news.restartCommand !== UNKNOWN &&
        (!Array.isArray(news.restartCommand) || news.restartCommand.some((a: unknown) => typeof a !== "string"))
    ) {
        failures.push({
            property: "restartCommand",
            reason: 'must be an argv list, e.g. ["docker", "restart", "stalwart"]',
        });
    }
    return failures;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
/** What a removal needs of each tracked object (decision 012): kept current in state, so state written before it gets it on the next up. */
const removalFacts = (objects: TrackedObject[] | undefined) =>
    stable(
        (objects ?? []).map((o) => [
            o.objectType,
            o.accountId ?? null,
            o.objectId,
            o.adopted ?? null,
            o.restore ?? null,
        ]),
    );

export function convergenceProvider(): pulumi.dynamic.ResourceProvider {
    let config: StalwartConfig = {};
    const connection = () => resolveConnection(process.env, config);
    const run = async (before: TrackedObject[] | undefined, inputs: ConvergenceInputs, owedRestart: string[] = []) => {
        const { plan: _plan, ...result } = await converge(connection(), before, inputs, owedRestart);
        return { ...inputs, ...result };
    };
    return {
        async configure(req: pulumi.dynamic.ConfigureRequest) {
            config = configFrom((key) => req.config.get(key));
        },
        async check(_olds: EngineProps, news: EngineProps) {
            return { inputs: news, failures: checkInputs(news) };
        },
        async diff(_id: string, olds: EngineProps, news: EngineProps) {
            // __provider itself contains the sentinel text, so only the real inputs are searched
            const pending = JSON.stringify([news.objects, news.restartCommand, news.discoverAddress]).includes(UNKNOWN);
            // an owed restart counts only once something can run it: otherwise every up would re-plan it
            const owedAndRunnable = (olds.pendingRestart?.length ?? 0) > 0 && (news.restartCommand?.length ?? 0) > 0;
            const changed =
                pending ||
                planConvergence(olds.objects ?? [], news.objects ?? []).changes.length > 0 ||
                !sameJson(olds.restartCommand, news.restartCommand) ||
                !sameJson(olds.discoverAddress, news.discoverAddress) ||
                removalFacts(olds.objects) !== removalFacts(news.objects) ||
                owedAndRunnable;
            return { changes: changed };
        },
        // inputs that passed check
        async create(inputs: ConvergenceInputs) {
            return { id: "convergence", outs: await run(undefined, inputs) };
        },
        async update(_id: string, olds: EngineProps, news: ConvergenceInputs) {
            // a restart left pending last time is still owed; the reloads it came with were done
            return { outs: await run(olds.objects, news, olds.pendingRestart ?? []) };
        },
        async read(id: string, props: EngineProps) {
            return { id, props };
        },
        async delete() {
            // converging is an action, not an object: nothing on the server to remove
        },
    };
}
