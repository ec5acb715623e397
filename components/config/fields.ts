/**
 * The value kinds the stack config's shape (schema.ts) is built from: numbers, booleans and lists
 * that also arrive as text from `pulumi config set`, secrets, URLs that may hold a password, DNS
 * names as Stalwart stores them, and the strict and lenient object builders.
 */
import { domainToASCII } from "node:url";
import { z } from "zod";
import { isCiphertext, isSecret, Secret, toSecret } from "./secret";
import { hasCredentials, maskUrl } from "./validators";

export const num = (schema: z.ZodNumber) =>
    z.preprocess((v) => (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)) ? Number(v) : v), schema);
export const bool = () => z.preprocess((v) => (v === "true" ? true : v === "false" ? false : v), z.boolean());
export const PORT_RANGE = "must be a TCP port, a whole number from 1 to 65535";
export const port = () => num(z.number().int(PORT_RANGE).min(1, PORT_RANGE).max(65535, PORT_RANGE));
export const nonEmpty = () => z.string().trim().min(1, "must not be empty");
const unquote = (item: string) => item.replace(/^(["'])(.*)\1$/, "$2").trim();

/**
 * A list as text, the way `pulumi config set` hands it over: "25,465,443", or a JSON/YAML flow list
 * "[25, 465, 443]" / "[tag:a, tag:b]". Anything but a string is returned as it is.
 */
export function asList(v: unknown): unknown {
    if (typeof v !== "string") return v;
    let text = v.trim();
    if (text.startsWith("[") && text.endsWith("]")) {
        try {
            const parsed: unknown = JSON.parse(text);
            if (Array.isArray(parsed)) return parsed;
        } catch {
            // a YAML flow list ([tag:a, tag:b]) is no JSON: split it below
        }
        text = text.slice(1, -1);
    }
    return text.split(",").map(unquote).filter(Boolean);
}

export const list = <T extends z.ZodType>(item: T) => z.preprocess(asList, z.array(item));
/** A list that must hold at least one item; `message` says what to write instead. */
export const nonEmptyList = <T extends z.ZodType>(item: T, message: string) =>
    z.preprocess(asList, z.array(item).min(1, message));

/** zod `params` that mark an issue as "this key wants a secret": the message then names the command with the key. */
export const SECRET_PARAMS = { secret: true } as const;

/** A secret: a clear string (decrypted by Pulumi) or `{ secure: … }` straight from the YAML file. */
export const secret = () =>
    z
        .custom<Secret>((v) => toSecret(v) !== undefined, { message: "must be a secret", params: SECRET_PARAMS })
        .transform((v) => toSecret(v) as Secret);

/**
 * A URL that may hold a password: clear text, or a secret. A URL with a password in it is made a
 * Secret however it was given (its printed form masks only the password); one without stays text.
 */
export const urlOrSecret = () =>
    z
        .custom<string | Secret>((v) => (typeof v === "string" && v.trim() !== "") || isCiphertext(v) || isSecret(v), {
            message: "must be a URL, or a secret holding one (a URL with a password should be one)",
            params: { ...SECRET_PARAMS, example: "redis://:<password>@<host>.<tailnet>:6379/<0-15>" },
        })
        .transform((v): string | Secret => {
            if (typeof v !== "string") return isSecret(v) ? v : new Secret<string>(undefined, true);
            const url = v.trim();
            return hasCredentials(url) ? Secret.inClearText(url, maskUrl(url)) : url;
        });

/**
 * A DNS name as Stalwart stores it: lower case, no trailing dot, internationalized names as
 * A-labels. The plan then equals what the server reads back, so an up never rewrites it.
 */
export const dnsName = () =>
    z.preprocess((v) => {
        if (typeof v !== "string") return v;
        const name = v.trim().replace(/\.$/, "");
        return domainToASCII(name) || name.toLowerCase();
    }, nonEmpty());

/** An ACME contact: `x@y` or `mailto:x@y`, kept as the bare address Stalwart's x:AcmeProvider takes. */
export const contact = () =>
    z.preprocess(
        (v) => (typeof v === "string" ? v.trim().replace(/^mailto:/i, "") : v),
        z.string().email("must be an email address, e.g. postmaster@example.com (mailto: is optional)"),
    );

/**
 * Objects are built twice: strict (unknown keys are errors, so a typo never silently falls back to a
 * default) and lenient (unknown keys dropped, and every field that is missing or of the wrong type
 * left undefined instead of failing the parse), so the pitfall rules still run on the rest and
 * every problem is reported in one go.
 */
export type Shape = Record<string, z.ZodType>;
export type ObjectOf = <T extends Shape>(shape: T) => z.ZodObject<T>;
export const strictObject: ObjectOf = (shape) => z.object(shape).strict();
export const lenientObject: ObjectOf = <T extends Shape>(shape: T) =>
    z
        .object(Object.fromEntries(Object.entries(shape).map(([k, field]) => [k, field.catch(undefined as never)])))
        .strip() as unknown as z.ZodObject<T>;
