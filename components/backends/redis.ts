/**
 * Stalwart's Redis logical DB on the shared server. Nothing is created (a logical DB exists as soon
 * as it is selected); the component validates the URL and hands out its parts.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseRedisUrl } from "../settings/validators";

export interface RedisDatabaseArgs {
    /** redis://<host>.<tailnet>:<port>/<0-15> */
    url: string;
}

export class RedisDatabase extends pulumi.ComponentResource {
    declare public readonly url: pulumi.Output<string>;
    declare public readonly host: pulumi.Output<string>;
    declare public readonly port: pulumi.Output<number>;
    declare public readonly db: pulumi.Output<number>;

    constructor(name: string, args: RedisDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tailwart:backends:RedisDatabase", name, {}, opts);
        const { target, problem } = parseRedisUrl(args.url);
        if (!target) throw new Error(`RedisDatabase ${name}: ${problem}`);
        this.url = pulumi.output(target.url);
        this.host = pulumi.output(target.host);
        this.port = pulumi.output(target.port);
        this.db = pulumi.output(target.db);
        this.registerOutputs({ url: this.url, host: this.host, port: this.port, db: this.db });
    }
}
