/**
 * The topology's facts, in one place: which public port is which Stalwart listener (and Caddy
 * server), the tailnet's address ranges, the management port, the env variables of the Stalwart
 * container that settings refer to, and the names of the secrets the plan hands to the shell.
 * Every other module imports these; none repeats them.
 */

/** Stalwart's management listener (`http` in its first-boot defaults): JMAP, /api, /admin, /healthz. */
export const MANAGEMENT_PORT = 8080;

/** The name of that listener, the one the management paths answer on (x:Http.allowedEndpoints, decision 013). */
export const MANAGEMENT_LISTENER = "http";

/** Every tailnet address lies in these (Tailscale's CGNAT range and its IPv6 ULA prefix). */
export const TAILNET_RANGES = ["100.64.0.0/10", "fd7a:115c:a1e0::/48"] as const;

/**
 * The networks a mail listener takes a PROXY header from: the edge node's own tailnet addresses
 * (/32, /128) when the stack names them (edge.tailnetAddresses), else the whole tailnet, which
 * lets any device the policy admits to the mail ports claim any client address (the plan warns).
 */
export function proxyTrustedNetworks(edgeAddresses: readonly string[] | undefined): string[] {
    if (!edgeAddresses || edgeAddresses.length === 0) return [...TAILNET_RANGES];
    return edgeAddresses.map((a) => (a.includes(":") ? `${a}/128` : `${a}/32`));
}

export interface PortRole {
    /** the Stalwart x:NetworkListener name and the edge's layer4 server name */
    name: string;
    protocol: "smtp" | "imap" | "pop3" | "http" | "manageSieve";
    tlsImplicit: boolean;
    useTls: boolean;
}

/**
 * Public ports the edge may forward, and what serves each on the mailbox. The names match
 * Stalwart's first-boot listeners where one exists, so those are adopted rather than duplicated;
 * port 80 is `acme-http` because Stalwart's own `http` listener is the management port.
 */
export const PORT_ROLES: Readonly<Record<number, PortRole>> = {
    25: { name: "smtp", protocol: "smtp", tlsImplicit: false, useTls: true },
    465: { name: "submissions", protocol: "smtp", tlsImplicit: true, useTls: true },
    587: { name: "submission", protocol: "smtp", tlsImplicit: false, useTls: true },
    143: { name: "imap", protocol: "imap", tlsImplicit: false, useTls: true },
    993: { name: "imaps", protocol: "imap", tlsImplicit: true, useTls: true },
    110: { name: "pop3", protocol: "pop3", tlsImplicit: false, useTls: true },
    995: { name: "pop3s", protocol: "pop3", tlsImplicit: true, useTls: true },
    4190: { name: "sieve", protocol: "manageSieve", tlsImplicit: false, useTls: true },
    443: { name: "https", protocol: "http", tlsImplicit: true, useTls: true },
    80: { name: "acme-http", protocol: "http", tlsImplicit: false, useTls: false },
};

/** The ports of PORT_ROLES, ascending. */
export const FORWARDABLE_PORTS: readonly number[] = Object.keys(PORT_ROLES)
    .map(Number)
    .sort((a, b) => a - b);

/** The role of a forwardable port; config validation has refused every other port before this is called. */
export function portRole(port: number): PortRole {
    const role = PORT_ROLES[port];
    if (!role) throw new Error(`port ${port} is not one the edge forwards (${FORWARDABLE_PORTS.join(", ")})`);
    return role;
}

/**
 * Env variables of the Stalwart container that other parts refer to by name: config.json's
 * authSecret and the x:BlobStore keys are `EnvironmentVariable` secrets, so the values live in the
 * container's env and never in Stalwart's registry or in a rendered file.
 */
export const STALWART_ENV = {
    dbPassword: "STALWART_DB_PASSWORD",
    s3AccessKey: "STALWART_S3_ACCESS_KEY",
    s3SecretKey: "STALWART_S3_SECRET_KEY",
    publicUrl: "STALWART_PUBLIC_URL",
    recoveryAdmin: "STALWART_RECOVERY_ADMIN",
    /** the smarthost's password: x:MtaRoute's authSecret names it, so it never enters Stalwart's database */
    smarthostPassword: "STALWART_SMARTHOST_PASSWORD",
} as const;

/**
 * Names of the secrets a plan refers to (`{secret: name}` in container env), each with where the
 * Pulumi shell gets its value. The plan never holds the values.
 */
export const PLAN_SECRETS = {
    /** the sidecar's auth key */
    tailscaleAuthKey: "tailscale.TailnetKey.key, or tailscale.oauthClientSecret from the stack config",
    /** the Postgres role's password */
    postgresPassword: "generated password of the Postgres role (random.RandomPassword)",
    /** the Garage access key's id */
    garageAccessKeyId: "access key id of the Garage key (GarageBucket output)",
    /** the Garage access key's secret */
    garageSecretAccessKey: "secret key of the Garage key (GarageBucket output)",
    /** STALWART_RECOVERY_ADMIN, `user:password` */
    stalwartRecoveryAdmin: "stalwart.recoveryAdmin from the stack config (only when set)",
    /** the smarthost's password */
    smarthostPassword: "smarthost.password from the stack config (only when set)",
    /** the backup bucket's access key id */
    backupAccessKeyId:
        "access key id of the backup bucket's Garage key (GarageBucket output; backup.target.bucket only)",
    /** the backup bucket's access key secret */
    backupSecretAccessKey:
        "secret key of the backup bucket's Garage key (GarageBucket output; backup.target.bucket only)",
} as const;

/**
 * The local account that holds the automation API key (x:ApiKey lives inside an x:Account; the
 * recovery admin has none). It has no password: only its key signs in, from the tailnet.
 */
export const AUTOMATION_ACCOUNT = "tailwart-automation";

/** A fixed secret, or one acme.dnsProvider credential (dnsCredentialSecret). */
export type PlanSecretName = keyof typeof PLAN_SECRETS | `acmeDns.${string}`;

/** The Stalwart container's env variable that carries one acme.dnsProvider credential (e.g. secret → STALWART_DNS_SECRET). */
export function dnsCredentialEnv(field: string): string {
    return `STALWART_DNS_${field
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .replace(/[^A-Za-z0-9]+/g, "_")
        .toUpperCase()}`;
}

/** The plan secret that holds one acme.dnsProvider credential. */
export function dnsCredentialSecret(field: string): `acmeDns.${string}` {
    return `acmeDns.${field}`;
}
