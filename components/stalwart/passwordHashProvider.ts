/**
 * The dynamic provider behind PasswordHash: an account password in, Stalwart's `$argon2id$` hash
 * out, hashed once. The hashing happens in `check`, whose result is what Pulumi keeps as the
 * resource's inputs: so the state holds the hash and a salted SHA-256 of the password (to tell a
 * changed password from an unchanged one), never the plaintext. An unchanged password returns the
 * previous inputs as they were (no diff, no new hash); a changed one is hashed anew with a fresh
 * salt; a value that already is an argon2id hash is kept as given. Hashing is hash-wasm's argon2id
 * (pure WebAssembly: no native binary, nothing downloaded at install), required at call time.
 */
import type * as pulumi from "@pulumi/pulumi";
import { newSalt, sha256 } from "./diff";
import { isObj, UNKNOWN, unwrap } from "./normalize";
import type { EngineRecord } from "../bundledProvider";

/** The engine's untyped records (components/bundledProvider.ts). */
type Props = EngineRecord;

/** What check keeps in place of the password: all of it secret in state. */
export interface HashedPassword {
    /** SHA-256 over salt and password: the only trace of the plaintext, to detect a change */
    digest: string;
    salt: string;
    /** the PHC-format argon2id hash Stalwart stores */
    hash: string;
}

/** Stalwart's own argon2 parameters (the argon2 crate's defaults: 19 MiB, 2 passes, 1 lane). */
export const ARGON2_PARAMS = { memorySize: 19_456, iterations: 2, parallelism: 1, hashLength: 32 } as const;

const ARGON2ID = /^\$argon2id\$/;

export async function hashPassword(password: string): Promise<string> {
    if (ARGON2ID.test(password)) return password;
    // an npm module: required where it is used, resolved from the project's node_modules (bundledProvider.ts)
    const { argon2id } = require("hash-wasm") as typeof import("hash-wasm");
    const salt = globalThis.crypto.getRandomValues(new Uint8Array(16));
    return argon2id({ password, salt, ...ARGON2_PARAMS, outputType: "encoded" });
}

const digestOf = (salt: string, password: string) => sha256(`${salt}\u0000password\u0000${password}`);

const hashedOf = (v: unknown): HashedPassword | undefined =>
    isObj(v) && typeof v.digest === "string" && typeof v.salt === "string" && typeof v.hash === "string"
        ? { digest: v.digest, salt: v.salt, hash: v.hash }
        : undefined;

export function passwordHashProvider(): pulumi.dynamic.ResourceProvider {
    return {
        async check(olds: Props, news: Props) {
            const password: unknown = unwrap(news.password);
            // unknown until apply (preview): nothing to hash yet
            if (password === UNKNOWN) return { inputs: news };
            const previous = hashedOf(unwrap(olds?.password));
            // already hashed (a re-check of checked inputs)
            const given = hashedOf(password);
            if (given) return { inputs: { ...news, password: given } };
            if (typeof password !== "string" || password === "") {
                return {
                    inputs: news,
                    failures: [
                        { property: "password", reason: "must be the password (plaintext) or a $argon2id$ hash" },
                    ],
                };
            }
            if (previous && previous.digest === (await digestOf(previous.salt, password)))
                return { inputs: { ...news, password: previous } };
            const salt = newSalt();
            const hashed: HashedPassword = {
                digest: await digestOf(salt, password),
                salt,
                hash: await hashPassword(password),
            };
            return { inputs: { ...news, password: hashed } };
        },
        async diff(_id: string, olds: Props, news: Props) {
            const before = hashedOf(unwrap(olds.password));
            const after = unwrap(news.password);
            return { changes: after === UNKNOWN || !before || before.digest !== hashedOf(after)?.digest };
        },
        async create(inputs: Props) {
            const hashed = hashedOf(unwrap(inputs.password));
            if (!hashed) throw new Error("PasswordHash: the password was not hashed by check; run `pulumi up` again");
            return { id: `argon2id-${hashed.salt}`, outs: { ...inputs, hash: hashed.hash } };
        },
        async update(_id: string, _olds: Props, news: Props) {
            const hashed = hashedOf(unwrap(news.password));
            if (!hashed) throw new Error("PasswordHash: the password was not hashed by check; run `pulumi up` again");
            return { outs: { ...news, hash: hashed.hash } };
        },
    };
}
