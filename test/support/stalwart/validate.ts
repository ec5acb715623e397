/**
 * Value normalization (done while patching, errors are invalidPatch) and the store's validate()
 * (required/min/max, errors are validationFailed). Follows Stalwart's normalization rules (docs/stalwart-facts.md#normalization):
 * empty strings rejected, durations > 0, emails and domain names lower-cased.
 */
import type { ElementDescriptor, FieldDescriptor } from "../../../components/stalwart/schema/types";
import { invalidPatch, type ValidationError } from "./errors";
import { INVALID_ID } from "./ids";
import { isPlainObject, type Json, type JsonObject, type TableView } from "./tableView";

/** TLDs accepted without a public-suffix entry (docs/stalwart-facts.md#normalization). */
const RESERVED_TLDS = new Set([
    "test",
    "localhost",
    "local",
    "internal",
    "lan",
    "home",
    "corp",
    "intranet",
    "private",
    "localdomain",
]);
/** A small stand-in for the public suffix list: enough for realistic deployments and tests. */
const PUBLIC_TLDS = new Set(
    "com org net edu gov mil int io dev app me info biz co ai cloud email mail xyz online site tech eu de uk fr nl be ch at it es pt se no dk fi pl cz us ca au nz jp cn in br ru".split(
        " ",
    ),
);

/** Lower-case, trim, check labels and TLD; throws invalidPatch "Invalid domain name". */
export function normalizeDomainName(value: string, path: string): string {
    const name = value.trim().toLowerCase().replace(/\.$/, "");
    const labels = name.split(".");
    const tld = labels[labels.length - 1] ?? "";
    const labelOk = (l: string) => /^[a-z0-9_]([a-z0-9-]{0,61}[a-z0-9])?$/.test(l);
    if (
        !labels.every(labelOk) ||
        !(RESERVED_TLDS.has(tld) || PUBLIC_TLDS.has(tld)) ||
        (labels.length < 2 && !RESERVED_TLDS.has(tld))
    ) {
        throw invalidPatch(path, "Invalid domain name");
    }
    return name;
}

export function normalizeEmail(value: string, path: string): string {
    const email = value.trim().toLowerCase();
    const at = email.lastIndexOf("@");
    if (at <= 0 || at === email.length - 1 || /\s/.test(email)) throw invalidPatch(path, "Invalid email address");
    return email;
}

const invalidValue = (path: string) => invalidPatch(path, "Invalid value for property.");

/** Checks and normalizes one scalar (a field value, a set member or a map key). */
export function normalizeScalar(view: TableView, e: ElementDescriptor, value: Json, path: string): Json {
    switch (e.kind) {
        case "string": {
            if (typeof value !== "string" || value === "") throw invalidValue(path);
            if (e.format === "emailAddress") return normalizeEmail(value, path);
            if (e.format === "ipNetwork" || e.format === "ipAddress" || e.format === "socketAddress") {
                if (!/^[0-9a-fA-F:.[\]/]+$/.test(value.trim())) throw invalidValue(path);
                return value.trim();
            }
            return value;
        }
        case "number": {
            if (typeof value !== "number" || !Number.isFinite(value)) throw invalidValue(path);
            if (e.format === "duration") {
                if (!Number.isInteger(value) || value <= 0) throw invalidPatch(path, "Invalid duration value");
            } else if (e.format === "unsignedInteger" || e.format === "size") {
                if (!Number.isInteger(value) || value < 0) throw invalidValue(path);
            } else if (e.format === "integer" && !Number.isInteger(value)) throw invalidValue(path);
            return value;
        }
        case "boolean":
            if (typeof value !== "boolean") throw invalidValue(path);
            return value;
        case "enum":
            if (typeof value !== "string" || !view.table.enums[e.enumName ?? ""]?.includes(value))
                throw invalidValue(path);
            return value;
        case "objectId":
        case "blobId":
            if (typeof value !== "string" || value === "") throw invalidValue(path);
            return value;
        case "utcDateTime": {
            if (typeof value !== "string" || Number.isNaN(Date.parse(value))) throw invalidValue(path);
            return new Date(value).toISOString().replace(/\.\d{3}Z$/, "Z");
        }
        default:
            throw invalidValue(path);
    }
}

const isEmpty = (field: FieldDescriptor, v: Json | undefined): boolean =>
    v === null ||
    v === undefined ||
    v === "" ||
    (field.kind === "objectId" && v === INVALID_ID) ||
    (isPlainObject(v) && ["set", "objectList", "map"].includes(field.kind) && Object.keys(v).length === 0);

/** The store's validate(): required, min/max values, item counts and string lengths, recursively. */
export function validateObject(view: TableView, schemaName: string, obj: JsonObject, prefix = ""): ValidationError[] {
    const errors: ValidationError[] = [];
    for (const [name, field] of Object.entries(view.fields(schemaName, obj["@type"]))) {
        const v = obj[name];
        const property = `${prefix}${name}`;
        if (isEmpty(field, v)) {
            if (field.required) errors.push({ type: "Required", property });
            else if (field.minItems && isPlainObject(v))
                errors.push({ type: "MinLength", property, required: field.minItems });
            continue;
        }
        if (typeof v === "number") {
            if (field.min !== undefined && v < field.min)
                errors.push({ type: "MinValue", property, required: field.min });
            if (field.max !== undefined && v > field.max)
                errors.push({ type: "MaxValue", property, required: field.max });
        }
        if (typeof v === "string" && field.maxLength !== undefined && v.length > field.maxLength) {
            errors.push({ type: "MaxLength", property, required: field.maxLength });
        }
        if (isPlainObject(v) && field.minItems !== undefined && Object.keys(v).length < field.minItems) {
            errors.push({ type: "MinLength", property, required: field.minItems });
        }
        if (field.kind === "object" && field.objectName && isPlainObject(v)) {
            errors.push(...validateObject(view, field.objectName, v, `${property}/`));
        }
        if (field.kind === "objectList" && field.element?.objectName && isPlainObject(v)) {
            for (const [k, el] of Object.entries(v)) {
                if (isPlainObject(el))
                    errors.push(...validateObject(view, field.element.objectName, el, `${property}/${k}/`));
            }
        }
    }
    return errors;
}
