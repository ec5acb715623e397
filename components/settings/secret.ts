import { inspect } from "node:util";

/**
 * A secret from the stack config. The value is held privately and every way of printing the object
 * (JSON, string, util.inspect) shows a mask, so a Settings value can be logged or snapshotted
 * without leaking. `value` is undefined when the config holds only ciphertext (an offline plan read
 * straight from Pulumi.<stack>.yaml): the plan can still show that the secret is set.
 */
export class Secret {
    static readonly MASK = "[secret]";
    readonly #value: string | undefined;
    readonly encrypted: boolean;

    constructor(value: string | undefined, encrypted = false) {
        this.#value = value;
        this.encrypted = encrypted;
    }

    /** The clear value, for the one place that hands it to Pulumi as `pulumi.secret(...)`. */
    reveal(): string {
        if (this.#value === undefined) {
            throw new Error(
                "this secret is only available encrypted (read from the stack file without Pulumi); run through `pulumi up`/`preview` to decrypt it",
            );
        }
        return this.#value;
    }

    toJSON(): string {
        return Secret.MASK;
    }

    toString(): string {
        return Secret.MASK;
    }

    [inspect.custom](): string {
        return Secret.MASK;
    }
}

export function isSecret(v: unknown): v is Secret {
    return v instanceof Secret;
}

/**
 * Reads a secret as a stack config holds it: a clear string (pulumi.Config decrypted it), a
 * `{ secure: "<ciphertext>" }` object (the YAML file itself), or an existing Secret.
 */
export function toSecret(v: unknown): Secret | undefined {
    if (v instanceof Secret) return v;
    if (typeof v === "string" && v.length > 0) return new Secret(v);
    if (typeof v === "object" && v !== null && typeof (v as { secure?: unknown }).secure === "string") {
        return new Secret(undefined, true);
    }
    return undefined;
}
