/**
 * dns.mx / dns.spf / dns.dkim / dns.dmarc: the records of the simulator's x:Domain.dnsZoneFile,
 * resolved through an injected fake resolver that publishes them, or something else.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DoctorTarget } from "../../components/doctor";
import { parseZoneFile } from "../../components/doctor/zoneFile";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart";
import { call, createId, update } from "../support/stalwart/client";
import { converge, DOMAIN, type FakeNetwork, fakeNetwork, HOSTNAME, publishZone, run, target } from "./support";

let sim: StalwartSimulator;
let t: DoctorTarget;
let net: FakeNetwork;
const DNS = ["dns.mx", "dns.spf", "dns.dkim", "dns.dmarc"];

beforeEach(async () => {
    sim = await startStalwartSimulator();
    t = target(sim);
    await converge(sim, t.plan);
    net = fakeNetwork();
    await publishZone(sim, net);
});
afterEach(() => sim.close());

describe("DNS records against the zone file", () => {
    it("pass when everything the zone file lists is published", async () => {
        const r = await run(t, net, DNS);
        for (const id of DNS) expect(r[id], id).toMatchObject({ status: "ok" });
        expect(r["dns.dkim"]!.detail).toMatch(/^2 DKIM records published as the zone file says/);
    });

    it("dns.mx fails on another exchange or priority, and says what to publish", async () => {
        net.mx[DOMAIN] = [{ exchange: HOSTNAME, priority: 20 }];
        const r = (await run(t, net, ["dns.mx"]))["dns.mx"]!;
        expect(r).toMatchObject({
            status: "fail",
            detail: `${DOMAIN}: published 20 ${HOSTNAME}, wanted 10 ${HOSTNAME}`,
        });
        expect(r.fix).toBe(`publish at the domain's DNS provider: ${DOMAIN}. IN MX 10 ${HOSTNAME}.`);
    });

    it("dns.spf fails when a second SPF record makes it an error for receivers", async () => {
        net.txt[DOMAIN]!.push(["v=spf1 include:other.example -all"]);
        const r = (await run(t, net, ["dns.spf"]))["dns.spf"]!;
        expect(r.status).toBe("fail");
        expect(r.detail).toMatch(/2 SPF records .* which receivers treat as an error/);
    });

    it("dns.dkim fails when a selector is not published", async () => {
        const selector = Object.keys(net.txt).find((n) => n.includes("._domainkey."))!;
        delete net.txt[selector];
        const r = (await run(t, net, ["dns.dkim"]))["dns.dkim"]!;
        expect(r.status).toBe("fail");
        expect(r.detail).toMatch(
            new RegExp(`^${selector.replace(/\./g, "\\.")}: published no TXT record, wanted "v=DKIM1; p=`),
        );
    });

    it("dns.dmarc fails on another policy; the fix says Stalwart publishes it when it manages the DNS", async () => {
        net.txt[`_dmarc.${DOMAIN}`] = [["v=DMARC1; p=none"]];
        const domain = (await call(sim, "x:Domain/query", { filter: { name: DOMAIN } })).ids[0];
        const dns = await createId(sim, "x:DnsServer", {
            "@type": "Cloudflare",
            description: "DNS",
            secret: { "@type": "Value", secret: "token" },
        });
        await update(sim, "x:Domain", domain, { dnsManagement: { "@type": "Automatic", dnsServerId: dns } });
        const r = (await run(t, net, ["dns.dmarc"]))["dns.dmarc"]!;
        expect(r).toMatchObject({
            status: "fail",
            detail: `_dmarc.${DOMAIN}: published "v=DMARC1; p=none", wanted "v=DMARC1; p=reject; rua=mailto:postmaster@${DOMAIN}"`,
        });
        expect(r.fix).toMatch(/dnsManagement Automatic.*DnsManagement tasks/);
    });

    it("every DNS check fails naming the domain when Stalwart does not have it", async () => {
        const other = target(sim, (raw) => {
            raw.domain = "absent.example";
            raw.hostname = "mail.absent.example";
            raw.acme.contact = ["postmaster@absent.example"];
        });
        const r = await run(other, net, DNS);
        for (const id of DNS)
            expect(r[id], id).toMatchObject({ status: "fail", detail: "Stalwart has no x:Domain absent.example" });
    });

    it("a resolver failure is reported as such, not as a missing record", async () => {
        net.resolveTxt = async () => {
            throw Object.assign(new Error("queryTxt ESERVFAIL"), { code: "ESERVFAIL" });
        };
        const r = (await run(t, net, ["dns.dmarc"]))["dns.dmarc"]!;
        expect(r).toMatchObject({ status: "fail", detail: `resolving _dmarc.${DOMAIN}: ESERVFAIL` });
    });
});

describe("parseZoneFile", () => {
    it("reads $ORIGIN, @, relative and absolute names, blank owners, TTL/class, parentheses, quoted strings and comments", () => {
        const zone = [
            "$ORIGIN example.org.",
            "$TTL 3600",
            "@ 3600 IN MX 10 mail ; the MX",
            "  IN MX 20 backup.example.net.",
            'sel._domainkey IN TXT ( "v=DKIM1; k=rsa; "',
            '    "p=AAAA\\"B" )',
            '_dmarc.example.org. TXT "v=DMARC1; p=reject"',
            "mail IN 300 A 192.0.2.1",
        ].join("\n");
        expect(parseZoneFile(zone, "ignored.example")).toEqual([
            { name: "example.org", type: "MX", data: "10 mail.example.org" },
            { name: "example.org", type: "MX", data: "20 backup.example.net" },
            { name: "sel._domainkey.example.org", type: "TXT", data: 'v=DKIM1; k=rsa; p=AAAA"B' },
            { name: "_dmarc.example.org", type: "TXT", data: "v=DMARC1; p=reject" },
            { name: "mail.example.org", type: "A", data: "192.0.2.1" },
        ]);
    });
});
