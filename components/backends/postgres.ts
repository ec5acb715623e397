/**
 * Stalwart's database on the shared Postgres server: a login role with a generated password and a
 * database it owns. Both outlive `pulumi destroy` unless the stack allows data loss; the role too,
 * because Postgres cannot drop a role that still owns a database.
 */
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** Arguments of {@link PostgresDatabase}. */
export interface PostgresDatabaseArgs {
    /** the shared server's full MagicDNS name */
    host: pulumi.Input<string>;
    /** the server's port */
    port: pulumi.Input<number>;
    /** the database to create, owned by `role` */
    database: pulumi.Input<string>;
    /** the login role to create, with a generated password */
    role: pulumi.Input<string>;
    /** the user the Postgres provider connects as to create them */
    adminUser: pulumi.Input<string>;
    /** secret; without it the provider falls back to PGPASSWORD in the operator's environment */
    adminPassword?: pulumi.Input<string>;
    /** `disable`, `require` or `verify-full` (the tailnet already encrypts) */
    sslmode: pulumi.Input<string>;
    /** keep the role and the database on destroy (false only with allowDataLoss) */
    retainOnDelete: boolean;
}

/**
 * A login role with a generated password and the database it owns, on a shared Postgres server
 * reached through an explicit provider. Both are retained on destroy unless `retainOnDelete` is false.
 */
export class PostgresDatabase extends pulumi.ComponentResource {
    /** the server's name, as given */
    declare public readonly host: pulumi.Output<string>;
    /** the server's port, as given */
    declare public readonly port: pulumi.Output<number>;
    /** the created database's name */
    declare public readonly database: pulumi.Output<string>;
    /** the created role's name */
    declare public readonly role: pulumi.Output<string>;
    /** the role's password (secret) */
    declare public readonly password: pulumi.Output<string>;

    constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:backends:PostgresDatabase", name, {}, opts);
        const parent = { parent: this };

        // An explicit provider: the shared server must never be confused with a default from the environment.
        const server = new postgresql.Provider(
            `${name}-server`,
            {
                host: args.host,
                port: args.port,
                username: args.adminUser,
                ...(args.adminPassword !== undefined ? { password: pulumi.secret(args.adminPassword) } : {}),
                sslmode: args.sslmode,
                database: "postgres",
            },
            parent,
        );
        // Alphanumeric: the password travels through env and a connection string without escaping.
        const password = new random.RandomPassword(`${name}-password`, { length: 32, special: false }, parent);
        const kept = { parent: this, provider: server, retainOnDelete: args.retainOnDelete };
        const role = new postgresql.Role(
            `${name}-role`,
            { name: args.role, login: true, password: password.result },
            kept,
        );
        const database = new postgresql.Database(`${name}-database`, { name: args.database, owner: role.name }, kept);

        this.host = pulumi.output(args.host);
        this.port = pulumi.output(args.port);
        this.database = database.name;
        this.role = role.name;
        this.password = pulumi.secret(password.result);
        this.registerOutputs({
            host: this.host,
            port: this.port,
            database: this.database,
            role: this.role,
            password: this.password,
        });
    }
}
