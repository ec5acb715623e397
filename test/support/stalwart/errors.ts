/** SetError and method-error shapes (RFC 8620 plus Stalwart's extra members). */
import type { Json } from "./tableView";

export interface ObjectRef {
    object: string;
    id: string;
}

export interface ValidationError {
    type: "Required" | "Invalid" | "MinLength" | "MaxLength" | "MinValue" | "MaxValue";
    property: string;
    required?: number;
    value?: Json;
}

export interface SetError {
    type: string;
    description?: string;
    properties?: string[];
    objectId?: ObjectRef;
    linkedObjects?: ObjectRef[];
    validationErrors?: ValidationError[];
}

/** Thrown inside per-object processing; the caller turns it into notCreated/notUpdated/notDestroyed. */
export class SetErrorException extends Error {
    constructor(readonly setError: SetError) {
        super(setError.description ?? setError.type);
    }
}

/** Thrown inside a method call; the whole call answers ["error", {type, description}]. */
export class MethodErrorException extends Error {
    constructor(
        readonly type: string,
        description?: string,
    ) {
        super(description ?? type);
    }
}

export const invalidPatch = (path: string, description: string): SetErrorException =>
    new SetErrorException({ type: "invalidPatch", description, properties: [path] });

export const invalidProperties = (path: string, description: string): SetErrorException =>
    new SetErrorException({ type: "invalidProperties", description, properties: [path] });

/** "x:Domain" → "Domain", the form SetError objectIds use. */
export const bareName = (type: string): string => type.replace(/^x:/, "");

export const objectRef = (type: string, id: string): ObjectRef => ({ object: bareName(type), id });
