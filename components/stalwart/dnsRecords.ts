/**
 * StalwartDnsRecords: the DNS records each managed domain needs, as Stalwart lists them
 * (x:Domain.dnsZoneFile: MX, SPF, the DKIM keys it generated, DMARC, TLS-RPT and the rest), read
 * from the server after the convergence (dnsRecordsProvider.ts). Depend it on the convergence.
 */
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { shipProvider } from "../bundledProvider";
import type { DnsRecord } from "./dnsRecordsProvider";

export type { DnsRecord } from "./dnsRecordsProvider";

/** What StalwartDnsRecords ships: the shell around the provider core dnsRecordsProvider.ts (no check, no delete). */
export const shippedDnsRecordsProvider = (): pulumi.dynamic.ResourceProvider =>
    shipProvider(
        join(__dirname, "dnsRecordsProvider"),
        "dnsRecordsProvider",
        [],
        ["configure", "diff", "create", "update", "read"],
    );

export interface StalwartDnsRecordsArgs {
    /** the x:Domain ids to read */
    domainIds: pulumi.Input<pulumi.Input<string>[]>;
}

export class StalwartDnsRecords extends pulumi.dynamic.Resource {
    /** domain name → the records to publish there */
    declare public readonly records: pulumi.Output<Record<string, DnsRecord[]>>;

    constructor(name: string, args: StalwartDnsRecordsArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            shippedDnsRecordsProvider(),
            name,
            { domainIds: args.domainIds, records: undefined },
            opts,
            "stalwart",
            "DnsRecords",
        );
    }
}
