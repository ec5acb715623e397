/**
 * Stalwart id encoding: a u64 in base32 over the alphabet below, most significant digit first,
 * no padding (0 → "a", 1 → "b"). Sequential types count from 1, everything else gets a
 * snowflake-like id, and singletons use the literal "singleton".
 */
import { randomInt } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz792013";

export const SINGLETON_ID = "singleton";
/** u32::MAX, the recovery admin's account id. */
export const ADMIN_ACCOUNT_ID = encodeId(0xffffffffn);
/** u64::MAX: the Rust default of a non-optional objectId, which fails validate() when required. */
export const INVALID_ID = encodeId(0xffffffffffffffffn);

export function encodeId(value: bigint): string {
    if (value === 0n) return "a";
    let out = "";
    for (let v = value; v > 0n; v >>= 5n) out = ALPHABET[Number(v & 31n)]! + out;
    return out;
}

/** The numeric value of an id, or undefined when it is not valid base32. */
export function decodeId(id: string): bigint | undefined {
    if (id.length === 0 || id.length > 13) return undefined;
    let v = 0n;
    for (const ch of id) {
        const digit = ALPHABET.indexOf(ch);
        if (digit < 0) return undefined;
        v = (v << 5n) | BigInt(digit);
    }
    return v;
}

/** Orders ids by numeric value (the store's id order). */
export function compareIds(a: string, b: string): number {
    const x = decodeId(a) ?? -1n;
    const y = decodeId(b) ?? -1n;
    return x < y ? -1 : x > y ? 1 : 0;
}

const EPOCH = 1_632_280_000_000n;
let lastSnowflake = 0n;

/** Time-ordered opaque id: milliseconds since an epoch, then 22 bits of sequence/random. */
export function snowflakeId(): string {
    let next = ((BigInt(Date.now()) - EPOCH) << 22n) | BigInt(randomInt(0, 1 << 12));
    if (next <= lastSnowflake) next = lastSnowflake + 1n;
    lastSnowflake = next;
    return encodeId(next);
}
