import { type ConfigIssue, issue, none, type Rule, rule } from "./issue";
import { bucketNameProblem, postgresNameProblem } from "./names";
import type { RawSettings } from "./schema";
import { clearText, type Secret, setSecretCommand } from "./secret";
import { tailnetAddressProblems } from "./tailnet";
import { publicUrlProblems } from "./urls";

/**
 * The rules that keep a stack from opening a way in: a recovery admin anyone could guess, a Docker
 * API reachable without TLS, a public URL that leaks credentials to every client, names that take
 * over the shared Postgres server's own roles and databases. Secret values are never echoed.
 */

/** The least a recovery admin's password may have: it is a full admin on every listener. */
export const RECOVERY_PASSWORD_MIN = 16;

const RECOVERY_EXAMPLE = `pulumi config set --secret --path tailwart:stalwart.recoveryAdmin "admin:$(openssl rand -base64 24)"`;

/** Problems of STALWART_RECOVERY_ADMIN's value; the value itself never appears in them. */
export function recoveryAdminProblems(text: string): string[] {
    const path = "stalwart.recoveryAdmin";
    const colon = text.indexOf(":");
    if (colon < 0) return [`${path} is not user:password; set it with \`${RECOVERY_EXAMPLE}\``];
    const user = text.slice(0, colon);
    const password = text.slice(colon + 1);
    const problems: string[] = [];
    if (user === "")
        problems.push(
            `${path} has no user name before ":", so Basic ":<password>" would sign in as a full admin; set it with \`${RECOVERY_EXAMPLE}\``,
        );
    else if (!/^[a-z0-9][a-z0-9._@-]*$/.test(user)) {
        problems.push(
            `${path}'s user name must be lower-case letters, digits, ".", "_", "-" or "@" (Stalwart lower-cases the user name it is sent, and "%" means impersonation); use e.g. admin: \`${RECOVERY_EXAMPLE}\``,
        );
    }
    if ([...password].length < RECOVERY_PASSWORD_MIN) {
        problems.push(
            `${path}'s password is shorter than ${RECOVERY_PASSWORD_MIN} characters, for an admin honoured on every listener; set a long random one with \`${RECOVERY_EXAMPLE}\``,
        );
    }
    return problems;
}

const PEM = {
    certificate: /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/,
    key: /^-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+-----END (?:RSA |EC )?PRIVATE KEY-----\s*$/,
};

/** The dockerTls material, when the stack holds it in clear enough to read: PEM, the key unencrypted. */
function dockerTlsProblems(
    host: "mailbox" | "edge",
    tls: { caCert: Secret; cert: Secret; key: Secret },
): ConfigIssue[] {
    const files = { caCert: "ca.pem", cert: "cert.pem", key: "key.pem" } as const;
    return (Object.keys(files) as (keyof typeof files)[]).flatMap((field) => {
        const text = clearText(tls[field])?.trim();
        const path = `${host}.dockerTls.${field}`;
        if (text === undefined) return none;
        const set = `set the file's content: \`${setSecretCommand(path, `"$(cat ${files[field]})"`)}\``;
        if (field === "key") {
            if (/ENCRYPTED/.test(text))
                return issue(
                    path,
                    `${path} is an encrypted private key, which the docker provider cannot unlock; decrypt it (openssl pkey -in key.pem -out plain.pem) and ${set}`,
                );
            return PEM.key.test(text)
                ? none
                : issue(path, `${path} is not a PEM private key (-----BEGIN PRIVATE KEY-----); ${set}`);
        }
        return PEM.certificate.test(text)
            ? none
            : issue(path, `${path} is not a PEM certificate (-----BEGIN CERTIFICATE-----); ${set}`);
    });
}

const dockerTlsRules = (["mailbox", "edge"] as const).map((host) =>
    rule([`${host}.dockerHost`, `${host}.dockerTls`], (s) => {
        const tls = s[host].dockerTls;
        if (tls === undefined) return none;
        if (!/^tcp:\/\//i.test(s[host].dockerHost.trim())) {
            return issue(
                `${host}.dockerTls`,
                `${host}.dockerTls is set but ${host}.dockerHost is not tcp://; the TLS material is for a tcp:// Docker API only: remove ${host}.dockerTls, or use tcp://<host>:2376`,
            );
        }
        return dockerTlsProblems(host, tls);
    }),
);

const postgresName = (key: "role" | "database", pick: (s: RawSettings) => string) =>
    rule([`postgres.${key}`], (s) => {
        const problem = postgresNameProblem(pick(s), key, "stalwart");
        return problem ? issue(`postgres.${key}`, `postgres.${key} ${problem}`) : none;
    });

export const HARDENING_RULES: Rule[] = [
    rule(["stalwart.recoveryAdmin"], (s) => {
        const text = s.stalwart.recoveryAdmin === undefined ? undefined : clearText(s.stalwart.recoveryAdmin);
        // encrypted in the stack file: checked when Pulumi decrypts it (preview/up)
        return text === undefined
            ? none
            : recoveryAdminProblems(text).map((message) => ({ path: "stalwart.recoveryAdmin", message }));
    }),
    rule(["stalwart.publicUrl"], (s) =>
        s.stalwart.publicUrl === undefined
            ? none
            : publicUrlProblems(s.stalwart.publicUrl).map((p) => ({
                  path: "stalwart.publicUrl",
                  message: `stalwart.publicUrl ${p}`,
              })),
    ),
    rule(["edge.tailnetAddresses"], (s) =>
        s.edge.tailnetAddresses === undefined
            ? none
            : tailnetAddressProblems("edge.tailnetAddresses", s.edge.tailnetAddresses),
    ),
    ...dockerTlsRules,
    postgresName("role", (s) => s.postgres.role),
    postgresName("database", (s) => s.postgres.database),
    rule(["postgres.role", "postgres.adminUser"], (s) =>
        s.postgres.role === s.postgres.adminUser &&
        postgresNameProblem(s.postgres.role, "role", "stalwart") === undefined
            ? issue(
                  "postgres.role",
                  "postgres.role is postgres.adminUser: the deployment would take over the admin's own login and set a generated password on it; give Stalwart a role of its own, e.g. stalwart",
              )
            : none,
    ),
    rule(["garage.bucket"], (s) => {
        const problem = bucketNameProblem(s.garage.bucket);
        return problem ? issue("garage.bucket", `garage.bucket ${problem}`) : none;
    }),
];
