/**
 * The deployment's resources for what an operator configures after the containers: each account
 * password hashed once (PasswordHash) into its x:Account spec, the automation API key minted in
 * the automation account after the convergence (the hand-off from the recovery admin), and the
 * DNS records read back from Stalwart.
 */
import * as pulumi from "@pulumi/pulumi";
import type { Plan } from "../plan";
import type { StalwartObjectSpec } from "../plan/stalwartSettings";
import type { DnsRecord } from "../stalwart/dnsRecords";
import { StalwartDnsRecords } from "../stalwart/dnsRecords";
import { StalwartObject } from "../stalwart/object";
import { PasswordHash } from "../stalwart/passwordHash";
import type { StalwartSettings } from "../stalwart/settings";

/** Sets `value` at a dotted path inside a copy of `target` (objects along the way copied, not shared). */
function setPath(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
    const [head, ...rest] = path.split(".");
    const copy = { ...target };
    copy[head!] =
        rest.length === 0 ? value : setPath((copy[head!] as Record<string, unknown>) ?? {}, rest.join("."), value);
    return copy;
}

/**
 * The spec with each password replaced by its argon2id hash (a secret Output): one PasswordHash per
 * password, named by the spec, so the hash is made once and kept until the password changes.
 */
export function withPasswordHashes(
    parent: pulumi.Resource,
    name: string,
    spec: StalwartObjectSpec,
): StalwartObjectSpec {
    const entries = Object.entries(spec.passwords ?? {});
    if (entries.length === 0) return spec;
    let properties = spec.properties;
    for (const [path, secret] of entries) {
        const hashed = new PasswordHash(
            `${name}-${spec.key}-${path.replace(/\./g, "-")}`,
            { password: pulumi.secret(secret.reveal()) },
            { parent },
        );
        properties = setPath(properties, path, hashed.hash);
    }
    // the credentials now hold a secret Output: keep the object's view encrypted in state as well
    return { ...spec, properties, secretOutputs: true };
}

export interface OperatorOutputs {
    /** the automation API key (secret); undefined outside an up that minted it (e.g. after an import) */
    stalwartApiKey: pulumi.Output<string | undefined>;
    /** domain name → records to publish */
    dnsRecords: pulumi.Output<Record<string, DnsRecord[]>>;
}

/** The API key and the DNS records, both after the convergence made the settings live. */
export function operatorResources(
    parent: pulumi.Resource,
    name: string,
    plan: Plan,
    settings: StalwartSettings | undefined,
): OperatorOutputs {
    const op = plan.stalwart.operator;
    const account = op && settings?.objects[op.automationKey.account];
    if (!op || !settings || !account)
        return {
            stalwartApiKey: pulumi.output<string | undefined>(undefined),
            dnsRecords: pulumi.output<Record<string, DnsRecord[]>>({}),
        };
    const after = { parent, dependsOn: [settings.convergence] };
    const key = new StalwartObject(
        `${name}-automation-key`,
        { objectType: "x:ApiKey", properties: op.automationKey.properties },
        // the recovery admin has no account of its own: the key is made in the automation account by id
        { ...after, accountId: account.objectId },
    );
    const domainIds = plan.stalwart.objects
        .filter((o) => o.objectType === "x:Domain")
        .map((o) => settings.objects[o.key]!.objectId);
    const records = new StalwartDnsRecords(`${name}-dns-records`, { domainIds }, after);
    return { stalwartApiKey: pulumi.secret(key.createdSecret), dnsRecords: records.records };
}
