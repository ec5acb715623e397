/**
 * The dynamic provider behind StalwartDnsRecords: reads each managed domain's zone text from the
 * server (x:Domain.dnsZoneFile, computed on every /get from the domain, the MX hosts and the DKIM
 * keys Stalwart generated) and turns it into records to publish. Create and update read after the
 * convergence; a refresh (`pulumi refresh`, `up --refresh`) reads again, so a rotated DKIM key
 * shows. Globals, local modules and `require` inside functions only: it is bundled (decision 007).
 */
import type * as pulumi from "@pulumi/pulumi";
import { parseZoneFile } from "../doctor/zoneFile";
import { configFrom, resolveConnection, type StalwartConfig } from "./credentials";
import { jmapRequest } from "./jmap";
import { isObj, unwrap } from "./normalize";
import type { EngineRecord } from "../bundledProvider";

/** The engine's untyped records (components/bundledProvider.ts). */
type Props = EngineRecord;

/** One record to publish: absolute name without the trailing dot, type, value as a DNS console takes it, and what it is for. */
/** A DNS record a domain needs, as Stalwart reports it. */
export interface DnsRecord {
    /** the record's name */
    name: string;
    /** its type: MX, TXT, SRV, … */
    type: string;
    /** TXT: the strings joined; MX: "<priority> <host>" */
    value: string;
    /** what the record is for */
    purpose: "mx" | "spf" | "dkim" | "dmarc" | "tls-rpt" | "mta-sts" | "srv" | "other";
}

export function purposeOf(name: string, type: string, value: string): DnsRecord["purpose"] {
    if (type === "MX") return "mx";
    if (type === "SRV") return "srv";
    if (type === "TXT" && /^v=spf1\b/i.test(value)) return "spf";
    if (type === "TXT" && /\._domainkey\./.test(`${name}.`)) return "dkim";
    if (/^_dmarc\./.test(name)) return "dmarc";
    if (/^_smtp\._tls\./.test(name)) return "tls-rpt";
    if (/^_?mta-sts\./.test(name)) return "mta-sts";
    return "other";
}

/** The zone text of one domain as records. */
export function recordsOf(domain: string, zoneText: string): DnsRecord[] {
    return parseZoneFile(zoneText, domain).map((r) => ({
        name: r.name,
        type: r.type,
        value: r.data,
        purpose: purposeOf(r.name, r.type, r.data),
    }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function dnsRecordsProvider(): pulumi.dynamic.ResourceProvider {
    let config: StalwartConfig = {};
    /** domain name → records; waits a little for DKIM keys a new domain's task is still generating */
    const readAll = async (inputs: Props): Promise<Record<string, DnsRecord[]>> => {
        const ids: string[] = (unwrap(inputs.domainIds) ?? []).filter((id: unknown) => typeof id === "string");
        const attempts = Number(inputs.dkimWaitAttempts ?? 5);
        for (let attempt = 1; ; attempt++) {
            const conn = resolveConnection(globalThis.process.env, config);
            const { responses } = await jmapRequest(conn, [
                ["x:Domain/get", { ids, properties: ["name", "dnsZoneFile", "dkimManagement"] }, "d"],
            ]);
            const [name, args] = responses.find((r) => r?.[2] === "d") ?? [];
            if (name !== "x:Domain/get" || !isObj(args))
                throw new Error(
                    `x:Domain/get answered ${JSON.stringify(name)}; cannot read the DNS records to publish`,
                );
            const list: Props[] = (Array.isArray(args.list) ? args.list : []).filter(isObj);
            const missing = ids.filter((id) => !list.some((d) => String(d.id) === id));
            if (missing.length)
                throw new Error(`x:Domain ${missing.join(", ")} not found; run \`pulumi refresh\` and \`pulumi up\``);
            const out = Object.fromEntries(
                list.map((d) => [
                    String(d.name),
                    recordsOf(String(d.name), typeof d.dnsZoneFile === "string" ? d.dnsZoneFile : ""),
                ]),
            );
            const waiting = list.some(
                (d) =>
                    d.dkimManagement?.["@type"] === "Automatic" &&
                    !out[String(d.name)]!.some((r) => r.purpose === "dkim"),
            );
            if (!waiting || attempt >= attempts) return out;
            await sleep(1_000 * attempt);
        }
    };
    return {
        async configure(req: pulumi.dynamic.ConfigureRequest) {
            config = configFrom((key) => req.config.get(key));
        },
        async diff(_id: string, olds: Props, news: Props) {
            return { changes: JSON.stringify(unwrap(olds.domainIds)) !== JSON.stringify(unwrap(news.domainIds)) };
        },
        async create(inputs: Props) {
            return { id: "dns-records", outs: { ...inputs, records: await readAll(inputs) } };
        },
        async update(_id: string, _olds: Props, news: Props) {
            return { outs: { ...news, records: await readAll(news) } };
        },
        async read(id: string, props: Props) {
            return { id, props: { ...props, records: await readAll({ ...props, dkimWaitAttempts: 1 }) } };
        },
    };
}
