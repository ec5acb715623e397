/**
 * The stack facts the rules need, read the way the engine hands them to a policy pack: it starts the
 * pack with the stack's config as JSON in PULUMI_CONFIG (objects and lists JSON-encoded, secrets
 * decrypted, so nothing here is ever printed) and the stack's name in PULUMI_STACK.
 */
import { isRecord } from "./resource";
import { DEFAULT_MANAGEMENT_PORT } from "./stalwart";

export interface StackFacts {
    /** the stack's name ("" when the pack runs outside an engine) */
    stack: string;
    /** tailwart:allowDataLoss, as parseSettings reads it (true or "true") */
    allowDataLoss: boolean;
    /** tailwart:mailbox.dataVolume (default stalwart-data): the volume holding the mail */
    dataVolume: string;
    /** 8080 and the port of tailwart:stalwart.managementUrl when it names another */
    managementPorts: number[];
}

/** A config value: JSON-encoded objects decoded, everything else as given. */
function decoded(value: unknown): unknown {
    if (typeof value !== "string" || !/^\s*[[{]/.test(value)) return value;
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

function portOfUrl(url: unknown): number | undefined {
    if (typeof url !== "string") return undefined;
    try {
        const port = new URL(url).port;
        return port === "" ? undefined : Number(port);
    } catch {
        return undefined;
    }
}

export function stackFactsFrom(env: Record<string, string | undefined>): StackFacts {
    let config: Record<string, unknown> = {};
    try {
        const parsed: unknown = JSON.parse(env.PULUMI_CONFIG ?? "{}");
        if (isRecord(parsed)) config = parsed;
    } catch {
        // a malformed PULUMI_CONFIG is the engine's problem; the rules then see the defaults
    }
    const mailbox = decoded(config["tailwart:mailbox"]);
    const stalwart = decoded(config["tailwart:stalwart"]);
    const dataVolume =
        isRecord(mailbox) && typeof mailbox.dataVolume === "string" && mailbox.dataVolume.trim() !== ""
            ? mailbox.dataVolume.trim()
            : "stalwart-data";
    const allow = config["tailwart:allowDataLoss"];
    const managementPort = portOfUrl(isRecord(stalwart) ? stalwart.managementUrl : undefined);
    return {
        stack: env.PULUMI_STACK ?? env.PULUMI_NODEJS_STACK ?? "",
        allowDataLoss: allow === true || allow === "true",
        dataVolume,
        managementPorts: [
            ...new Set([DEFAULT_MANAGEMENT_PORT, ...(managementPort === undefined ? [] : [managementPort])]),
        ],
    };
}
