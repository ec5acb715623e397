import { inspect } from "node:util";

/**
 * A secret from the stack config. The value is held privately and every way of printing the object
 * (JSON, string, util.inspect) shows a mask, so a Settings value can be logged or snapshotted
 * without leaking. `value` is undefined when the config holds only ciphertext (an offline plan read
 * straight from Pulumi.<stack>.yaml): the plan can still show that the secret is set.
 *
 * A secret may carry a display form of its own: a URL with its password masked
 * (`redis://:***@host:6379/2`) prints as that, so a plan still shows where it points.
 */
export class Secret<T = string> {
    /** how a secret without a display form of its own prints */
    static readonly MASK = "[secret]";
    readonly #value: T | undefined;
    readonly #display: string;
    /** true when only the ciphertext is known (an offline plan read straight from the stack file) */
    readonly encrypted: boolean;
    /**
     * true when the stack file holds the value in clear (set without --secret): it deploys, as a
     * Pulumi secret from then on, and the plan warns that the file itself should not hold it
     */
    readonly inClear: boolean;

    constructor(value: T | undefined, encrypted = false, display: string = Secret.MASK, inClear = false) {
        this.#value = value;
        this.encrypted = encrypted;
        this.#display = display;
        this.inClear = inClear;
    }

    /** A secret the stack file holds in clear text. */
    static inClearText<T>(value: T, display: string = Secret.MASK): Secret<T> {
        return new Secret(value, false, display, true);
    }

    /** The clear value, for the one place that hands it to Pulumi as `pulumi.secret(...)`. */
    reveal(): T {
        if (this.#value === undefined) {
            throw new Error(
                "this secret is only available encrypted (read from the stack file without Pulumi); run through `pulumi up`/`preview` to decrypt it",
            );
        }
        return this.#value;
    }

    /** the mask (or the display form), never the value */
    toJSON(): string {
        return this.#display;
    }

    /** the mask (or the display form), never the value */
    toString(): string {
        return this.#display;
    }

    /** what `console.log` and `util.inspect` print: the mask (or the display form) */
    [inspect.custom](): string {
        return this.#display;
    }
}

export function isSecret(v: unknown): v is Secret<unknown> {
    return v instanceof Secret;
}

/** `{ secure: "<ciphertext>" }`: how Pulumi.<stack>.yaml holds an encrypted value. */
export function isCiphertext(v: unknown): v is { secure: string } {
    return (
        typeof v === "object" &&
        v !== null &&
        !Array.isArray(v) &&
        typeof (v as { secure?: unknown }).secure === "string"
    );
}

/**
 * Reads a secret as a stack config holds it: a clear string (pulumi.Config decrypted it), a
 * `{ secure: "<ciphertext>" }` object (the YAML file itself), or an existing Secret.
 */
export function toSecret(v: unknown): Secret | undefined {
    if (v instanceof Secret) return v as Secret;
    if (typeof v === "string" && v.length > 0) return Secret.inClearText(v);
    if (isCiphertext(v)) return new Secret<string>(undefined, true);
    return undefined;
}

/** The command that sets a secret key, with the key's real name (nested keys need --path). */
export function setSecretCommand(path: string, value = "<value>"): string {
    return `pulumi config set --secret ${path.includes(".") ? "--path " : ""}tailwart:${path} ${value}`;
}

/** The value as text, when the config holds it in clear (an encrypted secret has none offline). */
export function clearText(v: string | Secret): string | undefined {
    if (!isSecret(v)) return v;
    return v.encrypted ? undefined : v.reveal();
}
