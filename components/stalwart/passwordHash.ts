/**
 * PasswordHash: an account password (a Pulumi secret) turned into the `$argon2id$` hash Stalwart
 * stores, once (passwordHashProvider.ts): the plaintext reaches neither the server nor the state,
 * an unchanged password never causes a diff, a changed one is hashed again.
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { shipProvider } from "../bundledProvider";

/** What PasswordHash ships: the shell around the provider core passwordHashProvider.ts (hash-wasm inside; no read, delete or configure). */
export const shippedPasswordHashProvider = (): pulumi.dynamic.ResourceProvider =>
    shipProvider(
        join(__dirname, "passwordHashProvider"),
        "passwordHashProvider",
        [],
        ["check", "diff", "create", "update"],
    );

export interface PasswordHashArgs {
    /** the plaintext password, or a value that already is an `$argon2id$` hash (kept as given) */
    password: pulumi.Input<string>;
}

export class PasswordHash extends pulumi.dynamic.Resource {
    /** the `$argon2id$…` hash to write into x:Account credentials (secret) */
    declare public readonly hash: pulumi.Output<string>;

    constructor(name: string, args: PasswordHashArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            shippedPasswordHashProvider(),
            name,
            // secret, so the engine keeps what check puts in its place (digest, salt, hash) secret too
            { password: pulumi.secret(args.password), hash: undefined },
            { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "hash", "password"] },
            "stalwart",
            "PasswordHash",
        );
    }
}
