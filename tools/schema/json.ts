/** JSON helpers shared by the extraction and the generator: parsing with a named input, stable output. */

/** Raw text is kept as given (so its hash matches the served file); parsed JSON is re-serialized. */
export function readJson(input: unknown, what: string): { value: unknown; text: string } {
    if (typeof input !== "string") return { value: input, text: JSON.stringify(input) };
    try {
        return { value: JSON.parse(input), text: input };
    } catch (error) {
        throw new Error(`${what} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
}

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/** JSON with object keys sorted at every level (arrays keep their order), no whitespace. */
export function stableStringify(value: unknown): string {
    return JSON.stringify(value, (_key, inner: unknown) => {
        if (typeof inner !== "object" || inner === null || Array.isArray(inner)) return inner;
        return Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(byKey));
    });
}

/**
 * Line-oriented JSON for a committed file: a value that fits in `width` columns (its comma included)
 * stays on one line, a larger one gets one entry per line, so an upgrade's diff shows the entries
 * that changed. Keys keep the order they have.
 */
export function printJson(value: unknown, width = 120, indent = "", column = 0): string {
    const compact = JSON.stringify(value);
    if (typeof value !== "object" || value === null || column + compact.length < width) return compact;
    const inner = `${indent}  `;
    const line = (head: string, item: unknown) => head + printJson(item, width, inner, head.length);
    const lines = Array.isArray(value)
        ? value.map((item) => line(inner, item))
        : Object.entries(value as Record<string, unknown>)
              .filter(([, item]) => item !== undefined) // as JSON.stringify leaves them out
              .map(([key, item]) => line(`${inner}${JSON.stringify(key)}: `, item));
    if (lines.length === 0) return compact;
    const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
    return `${open}\n${lines.join(",\n")}\n${indent}${close}`;
}
