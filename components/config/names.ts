import { isIP } from "node:net";
import { shown } from "./mask";

/**
 * Names the deployment creates on shared backends. Each check returns a problem sentence to follow
 * the key, or undefined. A name that collides with the server's own (the `postgres` superuser, a
 * template database, a `pg_*` role) would hand this stack something it must never own or alter.
 */

/** Postgres truncates identifiers longer than this many bytes (NAMEDATALEN - 1). */
const PG_MAX_BYTES = 63;

/** An unquoted Postgres identifier: what the role and database are written as, never case-folded away. */
const PG_IDENTIFIER = /^[a-z_][a-z0-9_$]*$/;

/** Roles and databases the server owns, and role names it refuses outright. */
const PG_RESERVED = new Set([
    "postgres",
    "template0",
    "template1",
    "public",
    "none",
    "current_user",
    "current_role",
    "session_user",
]);

/** Problem of a role or database name this stack creates, or undefined. */
export function postgresNameProblem(name: string, what: "role" | "database", example: string): string | undefined {
    const bytes = Buffer.byteLength(name, "utf8");
    if (bytes > PG_MAX_BYTES) {
        return `is ${bytes} bytes long; Postgres cuts names at ${PG_MAX_BYTES} bytes, so use a shorter ${what} name, e.g. ${example}`;
    }
    if (!PG_IDENTIFIER.test(name)) {
        return `${shown(name)} is not a plain Postgres identifier; use lower-case letters, digits and "_" (starting with a letter or "_"), e.g. ${example}`;
    }
    if (PG_RESERVED.has(name) || name.startsWith("pg_")) {
        return `${shown(name)} is reserved by the Postgres server (postgres, template0, template1 and pg_* belong to it); this stack creates and owns its ${what}, so give it its own name, e.g. ${example}`;
    }
    return undefined;
}

/**
 * S3 bucket naming (which Garage follows): 3-63 characters of lower-case letters, digits, "-" and
 * ".", starting and ending with a letter or digit, no ".." or ".-"/"-.", not an IP address.
 */
export function bucketNameProblem(name: string): string | undefined {
    const example = "e.g. stalwart-mail";
    const length = [...name].length;
    if (length < 3 || length > 63)
        return `${shown(name)} has ${length} characters; S3 bucket names have 3 to 63, ${example}`;
    if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name) || /\.\.|\.-|-\./.test(name)) {
        return `${shown(name)} is not an S3 bucket name; use lower-case letters, digits, "-" and "." (starting and ending with a letter or digit), ${example}`;
    }
    if (isIP(name) !== 0)
        return `${shown(name)} is formatted as an IP address, which S3 bucket names may not be; ${example}`;
    return undefined;
}
