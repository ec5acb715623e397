/**
 * Stalwart's Redis logical DB on the shared server. Nothing is created (a logical DB exists as soon
 * as it is selected); the component validates the URL and hands out its parts. A URL holding a
 * password is a secret: `url` is then a Pulumi secret, and no message shows the password.
 */
import * as pulumi from "@pulumi/pulumi";
import { isSecret, type Secret } from "../config/secret";
import { parseRedisUrl } from "../config/validators";

/** Arguments of {@link RedisDatabase}. */
export interface RedisDatabaseArgs {
    /** `redis://[:password@]<host>.<tailnet>:<port>/<0-15>`; a Secret (redis.url from the stack config) stays secret */
    url: string | Secret;
}

/**
 * Stalwart's Redis logical DB on a shared server: nothing is created (a logical DB exists once
 * selected); the URL is checked and its parts handed out.
 */
export class RedisDatabase extends pulumi.ComponentResource {
    /** a Pulumi secret when the URL holds a password or was given as a Secret */
    declare public readonly url: pulumi.Output<string>;
    /** the server's name */
    declare public readonly host: pulumi.Output<string>;
    /** the server's port */
    declare public readonly port: pulumi.Output<number>;
    /** the logical DB index, 0–15 */
    declare public readonly db: pulumi.Output<number>;

    constructor(name: string, args: RedisDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:backends:RedisDatabase", name, {}, opts);
        const text = (isSecret(args.url) ? args.url.reveal() : args.url).trim();
        const { target, problem } = parseRedisUrl(text);
        if (!target) throw new Error(`RedisDatabase ${name}: redis.url ${problem}`);
        this.url = isSecret(args.url) || target.credentials ? pulumi.secret(text) : pulumi.output(text);
        this.host = pulumi.output(target.host);
        this.port = pulumi.output(target.port);
        this.db = pulumi.output(target.db);
        this.registerOutputs({ url: this.url, host: this.host, port: this.port, db: this.db });
    }
}
