// Pure validation of BucketGrant inputs. Captured by value into the serialized provider, so it must use only
// language globals (no imports).

/** The engine's placeholder for a value not known yet (preview); validation skips it. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** An access key's rights on a Garage bucket. */
export interface BucketPermissions {
    /** read objects */
    read: boolean;
    /** write and delete objects */
    write: boolean;
    /** change the bucket's settings and aliases */
    owner: boolean;
}

export interface BucketGrantInputs {
    adminEndpoint: string;
    /** The bucket's global alias. */
    bucket: string;
    keyName: string;
    permissions: BucketPermissions;
}

export interface InputFailure {
    property: string;
    reason: string;
}

const ENDPOINT_SHAPE = /^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})\/?$/;

/** Why `endpoint` is not a usable admin endpoint, or undefined when it is. */
export function endpointProblem(endpoint: unknown): string | undefined {
    if (typeof endpoint !== "string" || endpoint === "") {
        return "adminEndpoint is required, e.g. http://garage.tailnet.ts.net:3903";
    }
    const match = ENDPOINT_SHAPE.exec(endpoint);
    if (!match) {
        return `adminEndpoint ${JSON.stringify(endpoint)} must be http(s)://host:port with an explicit port and no path, e.g. http://garage.tailnet.ts.net:3903`;
    }
    const port = Number(match[2]);
    if (port < 1 || port > 65535) return `adminEndpoint ${JSON.stringify(endpoint)} has port ${port}, outside 1-65535`;
    return undefined;
}

/** S3 bucket naming rules, which Garage enforces for global aliases. */
export function bucketNameProblem(name: unknown): string | undefined {
    if (typeof name !== "string" || name === "") return "bucket (the global alias) is required";
    const quoted = JSON.stringify(name);
    if (name.length < 3 || name.length > 63) return `bucket ${quoted} must be 3-63 characters long (is ${name.length})`;
    if (!/^[a-z0-9.-]+$/.test(name)) return `bucket ${quoted} may only hold lowercase letters, digits, '.' and '-'`;
    if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name))
        return `bucket ${quoted} must start and end with a letter or digit`;
    if (name.includes("..")) return `bucket ${quoted} must not contain two adjacent periods`;
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return `bucket ${quoted} must not look like an IP address`;
    if (name.startsWith("xn--")) return `bucket ${quoted} must not start with "xn--"`;
    if (name.endsWith("-s3alias")) return `bucket ${quoted} must not end with "-s3alias"`;
    return undefined;
}

export function keyNameProblem(name: unknown): string | undefined {
    if (typeof name !== "string" || name.trim() === "") return "keyName is required (the Garage access key's name)";
    if (name !== name.trim()) return `keyName ${JSON.stringify(name)} must not start or end with whitespace`;
    return undefined;
}

/** Check failures for `news`, one per property; unknown (preview) values are not judged. */
export function inputFailures(news: Record<string, unknown>): InputFailure[] {
    const failures: InputFailure[] = [];
    const judge = (property: string, value: unknown, problem: (v: unknown) => string | undefined) => {
        if (value === UNKNOWN_VALUE) return;
        const reason = problem(value);
        if (reason) failures.push({ property, reason });
    };
    judge("adminEndpoint", news.adminEndpoint, endpointProblem);
    judge("bucket", news.bucket, bucketNameProblem);
    judge("keyName", news.keyName, keyNameProblem);
    const permissions = news.permissions;
    if (permissions !== UNKNOWN_VALUE) {
        if (typeof permissions !== "object" || permissions === null) {
            failures.push({
                property: "permissions",
                reason: "permissions must be an object { read, write, owner } of booleans",
            });
        } else {
            for (const flag of ["read", "write", "owner"] as const) {
                const value = (permissions as Record<string, unknown>)[flag];
                if (value !== UNKNOWN_VALUE && typeof value !== "boolean") {
                    failures.push({
                        property: `permissions.${flag}`,
                        reason: `permissions.${flag} must be true or false, got ${JSON.stringify(value)}`,
                    });
                }
            }
        }
    }
    return failures;
}

/** The endpoint without a trailing slash, so equal endpoints compare equal. */
export function normalizeEndpoint(endpoint: string): string {
    return endpoint.endsWith("/") ? endpoint.slice(0, -1) : endpoint;
}
