/**
 * Turns JMAP method errors and SetErrors (docs/stalwart-facts.md#set-errors) into messages that name the object,
 * the property and the server's reason. Pure and dependency-free: the provider captures it by value.
 */

/** Text with the password of any URL in it masked (redis://:pw@… → :***@): a server may echo one back. */
export const masked = (text: string): string => text.replace(/(\/\/[^/@\s"]*?:)[^/@\s"]*@/g, "$1***@");
/** A value as text for a message, URL passwords masked. */
export const shown = (v: unknown): string => masked(String(JSON.stringify(v)));

/** A reference to a registry object as SetErrors carry it (`{object: "Domain", id: "b"}`). */
interface ObjectRef {
    object?: string;
    id?: string;
}

/** One `validationErrors` entry (docs/stalwart-facts.md#set-errors). */
export interface ValidationError {
    type?: string;
    property?: string;
    value?: unknown;
    required?: unknown;
}

/**
 * A SetError or method error as the server may send it (docs/stalwart-facts.md#set-errors). Every field is optional: the
 * messages are built from whatever a server, or a double, actually sends.
 */
export interface ServerError {
    type?: string;
    description?: string;
    properties?: unknown;
    existingId?: string;
    objectId?: ObjectRef;
    linkedObjects?: unknown;
    validationErrors?: unknown;
}

const refText = (ref: ObjectRef | undefined): string =>
    ref ? `${ref.object ? `x:${ref.object} ` : ""}id ${JSON.stringify(ref.id)}` : "another object";

/** Paths in `v` holding `id` as a value or as a set member (`directoryId`, `aliases/0/domainId`, `roleIds`). */
export const pathsTo = (v: unknown, id: unknown, at = ""): string[] =>
    v === id
        ? [at]
        : typeof v === "object" && v !== null
          ? Object.entries(v).flatMap(([k, x]) =>
                k === id && x === true ? [at] : pathsTo(x, id, at ? `${at}/${k}` : k),
            )
          : [];

/** One `validationErrors` entry (Required, Invalid, Min/MaxLength, Min/MaxValue); `value` only when not a secret, so it never reaches a log. */
function validationText(v: ValidationError | undefined, isSecret: (path: string) => boolean): string {
    const prop = String(v?.property ?? "?");
    if (v?.type === "Required") return `${prop} is required`;
    if (v?.type !== "Invalid") return `${prop}: ${v?.type} ${v?.required ?? ""}`.trim();
    return isSecret(prop) || v.value === undefined
        ? `${prop} is invalid`
        : `${prop} has invalid value ${shown(v.value)}`;
}

/**
 * `who` names the object: `x:Domain "example.test"` or `x:Domain id "b"`; `op` is create/update/destroy.
 * `isSecret` tells which property paths hold secrets so their values are never echoed. `clash` replaces
 * the primaryKeyViolation hint when adoption was refused (what the clashing object is instead).
 * `inputs` (the properties sent) name the property of an invalidForeignKey that carries only
 * `objectId` (docs/stalwart-facts.md#set-errors): the paths holding that id. (objectIsLinked comes from a destroy: the links are
 * in other objects, which `linkedObjects` names.) A primaryKeyViolation may name the existing
 * object by `existingId` only.
 */
export function setErrorMessage(
    op: string,
    who: string,
    err: ServerError | undefined,
    isSecret: (path: string) => boolean = () => false,
    clash?: string,
    inputs?: unknown,
): string {
    const type = String(err?.type ?? "unknown");
    const target: ObjectRef | undefined =
        err?.objectId ?? (err?.existingId === undefined ? undefined : { id: err.existingId });
    const props: string[] = Array.isArray(err?.properties)
        ? err.properties.map(String)
        : type === "invalidForeignKey" && target?.id
          ? pathsTo(inputs, target.id)
          : [];
    const on =
        props.length > 0
            ? ` on ${props.length > 1 ? "properties" : "property"} ${props.map((p) => (p === "" ? "(root)" : p)).join(", ")}`
            : "";
    const desc = typeof err?.description === "string" && err.description !== "" ? `: ${masked(err.description)}` : "";
    const head = `${who}: ${op} failed with ${type}${on}${desc}`;
    switch (type) {
        case "objectIsLinked": {
            const linked: ObjectRef[] = Array.isArray(err?.linkedObjects)
                ? err.linkedObjects
                : err?.objectId
                  ? [err.objectId]
                  : [];
            const names = linked.map(refText).join(", ") || "other objects";
            return `${head} (still referenced by ${names}; remove or re-point those first)`;
        }
        case "invalidForeignKey":
            return `${head} (refers to ${refText(target)}, which does not exist or is not visible)`;
        case "primaryKeyViolation":
            return `${head} (${refText(target)} ${clash ? `${clash}; not adopted` : `already has this value${op === "create" ? "; set adopt to take it over" : ""}`})`;
        case "validationFailed": {
            const list: (ValidationError | undefined)[] = Array.isArray(err?.validationErrors)
                ? err.validationErrors
                : [];
            const details = list.map((v) => validationText(v, isSecret)).join("; ");
            const target = err?.objectId ? ` [${refText(err.objectId)}]` : "";
            return `${head}${details ? ` (${details})` : ""}${target}`;
        }
        case "singleton":
            return `${head} (singletons are updated in place, never created or destroyed)`;
        case "notFound":
            return `${head} (the object or a #reference does not exist)`;
        default:
            return head;
    }
}

/** A method-level error (`["error", {type, description}, callId]`). */
export function methodErrorMessage(method: string, who: string, err: ServerError | undefined): string {
    const desc = typeof err?.description === "string" && err.description !== "" ? `: ${masked(err.description)}` : "";
    return `${who}: ${method} failed with method error ${String(err?.type ?? "unknown")}${desc}`;
}
