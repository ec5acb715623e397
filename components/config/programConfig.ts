/**
 * The program's side of the config contract: what the engine passes (`pulumi.runtime.allConfig()`)
 * turned back into the raw map parseSettings takes.
 */

const NAMESPACE = "tailwart:";
const TOKEN_KEY = "stalwart:token";

/**
 * The engine hands config over as strings: scalars as text, objects and lists JSON-encoded.
 * parseSettings wants them as Pulumi.<stack>.yaml spells them, so those are parsed back; other
 * namespaces' keys (tailscale:*, garage:*, …) are left out.
 */
export function rawConfigFrom(all: Record<string, string>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(all)) {
        // only whether the automation key is set (the recovery admin hand-off warning), never its value
        if (key === TOKEN_KEY) raw[key] = "(set)";
        if (!key.startsWith(NAMESPACE)) continue;
        raw[key.slice(NAMESPACE.length)] = /^\s*[[{]/.test(value) ? parseJsonOrKeep(value) : value;
    }
    return raw;
}

function parseJsonOrKeep(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        // Kept as text, so the schema reports it against its key along with every other problem.
        return value;
    }
}
