/**
 * Applies a plan's x:* specs the way MailDeployment does, one resource at a time through the SDK's
 * dynamic-provider host over gRPC: passwords through the PasswordHash provider, each object through
 * its x:* provider (refs filled with the ids made before it), then the convergence over all of them
 * (binding the OIDC directory when the plan has one), then the automation key and the DNS records.
 * What a real `pulumi up` would keep in state is returned, so a test can run the next up.
 */
import { isSecret } from "../../components/config/secret";
import { shippedConvergenceProvider } from "../../components/stalwart/convergence";
import type { TrackedObject } from "../../components/stalwart/convergence/changes";
import { shippedDnsRecordsProvider } from "../../components/stalwart/dnsRecords";
import { shippedPasswordHashProvider } from "../../components/stalwart/passwordHash";
import { stalwartProvider } from "../../components/stalwart/provider";
import { CONTENT_KEY, volatileProperties } from "../../components/stalwart/settings";
import type { Plan } from "../../components/plan";
import type { StalwartObjectSpec } from "../../components/plan/stalwartSettings";
import { type PlainObject, type ProviderHost, serializeProvider } from "./providerHost";

const texts = new Map<string, string>();
async function providerText(kind: string): Promise<string> {
    if (!texts.has(kind)) {
        const provider =
            kind === "convergence"
                ? shippedConvergenceProvider()
                : kind === "password"
                  ? shippedPasswordHashProvider()
                  : kind === "dns"
                    ? shippedDnsRecordsProvider()
                    : stalwartProvider(kind);
        texts.set(kind, await serializeProvider(provider));
    }
    return texts.get(kind)!;
}

/** A resource as the engine keeps it between ups: its id, checked inputs and outputs. */
export interface Kept {
    id: string;
    inputs: PlainObject;
    outs: PlainObject;
}

/** What one up leaves in state, by resource name. */
export type UpState = Record<string, Kept>;

const reveal = (v: unknown): unknown =>
    isSecret(v)
        ? v.reveal()
        : Array.isArray(v)
          ? v.map(reveal)
          : typeof v === "object" && v !== null
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]))
            : v;

/** As StalwartSettings fills refs: a last segment `name[i]` adds the value to the set `name`. */
function setPath(target: PlainObject, path: string, value: unknown): PlainObject {
    const [head, ...rest] = path.split(".");
    const copy = { ...target };
    const member = rest.length === 0 ? /^(.+)\[\d+\]$/.exec(head!) : null;
    if (member) copy[member[1]!] = { ...((copy[member[1]!] as PlainObject | undefined) ?? {}), [String(value)]: true };
    else copy[head!] = rest.length === 0 ? value : setPath((copy[head!] as PlainObject) ?? {}, rest.join("."), value);
    return copy;
}

/** check, then create (nothing kept) or diff + update (something kept): one resource of one up. */
async function upOne(
    host: ProviderHost,
    kind: string,
    name: string,
    news: PlainObject,
    before: Kept | undefined,
    type: string,
): Promise<{ kept: Kept; changed: boolean }> {
    const target = { name, type };
    const checked = await host.check(before?.inputs ?? {}, { ...news, __provider: await providerText(kind) }, target);
    if (checked.failures.length) throw new Error(`${name}: check failed: ${JSON.stringify(checked.failures)}`);
    if (!before) {
        const created = await host.create(checked.inputs, target);
        return { kept: { id: created.id, inputs: checked.inputs, outs: created.properties }, changed: true };
    }
    const diff = await host.diff(before.id, before.outs, checked.inputs, { ...target, oldInputs: before.inputs });
    if (diff.changes === "none") return { kept: { ...before, inputs: checked.inputs }, changed: false };
    const updated = await host.update(before.id, before.outs, checked.inputs, { ...target, oldInputs: before.inputs });
    return { kept: { id: before.id, inputs: checked.inputs, outs: updated.properties }, changed: true };
}

export interface UpOptions {
    restartCommand?: string[];
    readiness?: PlainObject;
    discoverAddress?: string;
    /** run only the x:* objects and the convergence (no automation key, no DNS read) */
    objectsOnly?: boolean;
}

export interface UpResult {
    state: UpState;
    /** resource names whose provider saw a change (diff "some", or created) */
    changed: string[];
    convergence: PlainObject;
    ids: Record<string, string>;
}

/**
 * One `pulumi up` of a plan's x:* side against the host's server; `before` is the previous up's
 * state. A failed up throws with `state`: what it made before the failure (the engine keeps that too).
 */
export async function upPlan(
    host: ProviderHost,
    plan: Plan,
    before: UpState = {},
    opts: UpOptions = {},
): Promise<UpResult> {
    const state: UpState = {};
    try {
        return await runUp(host, plan, before, opts, state);
    } catch (e) {
        throw Object.assign(e as Error, { state: { ...before, ...state } });
    }
}

async function runUp(
    host: ProviderHost,
    plan: Plan,
    before: UpState,
    opts: UpOptions,
    state: UpState,
): Promise<UpResult> {
    const changed: string[] = [];
    const ids: Record<string, string> = {};
    const tracked: TrackedObject[] = [];
    const keep = (name: string, r: { kept: Kept; changed: boolean }) => {
        state[name] = r.kept;
        if (r.changed) changed.push(name);
        return r.kept;
    };
    for (const spec of plan.stalwart.objects) {
        let properties = reveal(spec.properties) as PlainObject;
        for (const [path, ref] of Object.entries(spec.refs ?? {})) properties = setPath(properties, path, ids[ref]);
        for (const [path, secret] of Object.entries(spec.passwords ?? {})) {
            const name = `hash-${spec.key}-${path}`;
            const hashed = keep(
                name,
                await upOne(
                    host,
                    "password",
                    name,
                    { password: secret.reveal() },
                    before[name],
                    "pulumi-nodejs:dynamic/stalwart:PasswordHash",
                ),
            );
            properties = setPath(properties, path, hashed.outs.hash);
        }
        const name = `object-${spec.key}`;
        const kept = keep(
            name,
            await upOne(
                host,
                spec.objectType,
                name,
                { objectType: spec.objectType, properties },
                before[name],
                `pulumi-nodejs:dynamic/stalwart:${spec.objectType.slice(2)}`,
            ),
        );
        ids[spec.key] = String(kept.outs.objectId);
        tracked.push(trackedOf(spec, kept));
    }
    const directory = plan.stalwart.operator?.oidc?.directoryKey;
    const convergenceInputs: PlainObject = {
        objects: tracked,
        ...(opts.restartCommand ? { restartCommand: opts.restartCommand } : {}),
        ...(opts.discoverAddress ? { discoverAddress: opts.discoverAddress } : {}),
        ...(opts.readiness ? { readiness: opts.readiness } : {}),
        ...(directory ? { defaultDirectoryId: ids[directory] } : {}),
    };
    const convergence = keep(
        "convergence",
        await upOne(
            host,
            "convergence",
            "convergence",
            convergenceInputs,
            before.convergence,
            "pulumi-nodejs:dynamic/stalwart:Convergence",
        ),
    );
    const op = plan.stalwart.operator;
    if (op && !opts.objectsOnly) {
        const key = op.automationKey;
        keep(
            "automation-key",
            await upOne(
                host,
                "x:ApiKey",
                "automation-key",
                { objectType: "x:ApiKey", properties: key.properties, accountId: ids[key.account] },
                before["automation-key"],
                "pulumi-nodejs:dynamic/stalwart:ApiKey",
            ),
        );
        const domainIds = plan.stalwart.objects.filter((o) => o.objectType === "x:Domain").map((o) => ids[o.key]);
        keep(
            "dns-records",
            await upOne(
                host,
                "dns",
                "dns-records",
                { domainIds },
                before["dns-records"],
                "pulumi-nodejs:dynamic/stalwart:DnsRecords",
            ),
        );
    }
    return { state, changed, convergence: convergence.outs, ids };
}

/** StalwartObject.tracked, from a kept object. */
function trackedOf(spec: StalwartObjectSpec, kept: Kept): TrackedObject {
    return {
        objectType: spec.objectType,
        objectId: String(kept.outs.objectId),
        properties: { ...(kept.outs.properties as PlainObject), [CONTENT_KEY]: kept.outs.contentHash },
        volatile: volatileProperties(spec.objectType),
    };
}
