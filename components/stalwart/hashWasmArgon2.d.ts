/** The argon2-only build of hash-wasm: the same functions as the package index, typed by it. */
declare module "hash-wasm/dist/argon2.umd.min.js" {
    export { argon2id, argon2Verify } from "hash-wasm";
}
