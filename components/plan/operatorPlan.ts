/**
 * What the plan tells an operator beyond the objects: which DNS records each managed domain will
 * need (the values come from Stalwart after the deploy, in the `dnsRecords` output), what the
 * identity provider must be set up with for `oidc`, and the automation key of the hand-off.
 */
import type { Settings } from "../config";
import { WEBUI_CLIENT_ID } from "../config/operatorRules";
import { type AutomationKeyPlan, automationKeyPlan } from "./automationKey";
import { accountDomains, OPERATOR_KEYS } from "./operatorSettings";
import type { StalwartObjectSpec } from "./stalwartSettings";

/** A record a domain will need: its name, type and what it is for; `value` where the plan knows it. */
export interface PlannedDnsRecord {
    domain: string;
    name: string;
    type: string;
    purpose: string;
    value?: string;
}

export interface OidcPlan {
    /** spec key of the x:Directory the convergence binds as the default directory */
    directoryKey: string;
    issuer: string;
    audience: string;
    /** the web UI's public PKCE client as the identity provider must register it */
    webui: { clientId: string; redirectUris: string[]; postLogoutRedirectUris: string[] };
    /** false when tokens of the web UI's client do not carry `audience` unless the IdP adds it */
    webuiAudienceAccepted: boolean;
}

export interface OperatorPlan {
    oidc?: OidcPlan;
    automationKey: AutomationKeyPlan;
    dnsRecords: PlannedDnsRecord[];
}

/** Stalwart signs with one Ed25519 and one RSA key per domain by default (x:Domain dkimManagement Automatic). */
const DKIM_ALGORITHMS = ["ed25519", "rsa"];

function recordsFor(domain: string, hostname: string): PlannedDnsRecord[] {
    const r = (name: string, type: string, purpose: string, value?: string): PlannedDnsRecord => ({
        domain,
        name,
        type,
        purpose,
        ...(value ? { value } : {}),
    });
    return [
        r(domain, "MX", "mail for the domain goes to this server", `10 ${hostname}.`),
        r(domain, "TXT", "SPF: this server may send for the domain"),
        ...DKIM_ALGORITHMS.map((a) =>
            r(
                `<selector>._domainkey.${domain}`,
                "TXT",
                `DKIM ${a} public key (the selector and key Stalwart generated)`,
            ),
        ),
        r(`_dmarc.${domain}`, "TXT", "DMARC policy and report address"),
        r(`_smtp._tls.${domain}`, "TXT", "TLS-RPT report address"),
    ];
}

export function operatorPlan(s: Settings, specs: StalwartObjectSpec[]): OperatorPlan {
    const base = s.stalwart.publicUrl.replace(/\/+$/, "");
    const oidc: OidcPlan | undefined = s.oidc && {
        directoryKey: OPERATOR_KEYS.directory,
        issuer: s.oidc.issuerUrl,
        audience: s.oidc.audience,
        webui: {
            clientId: WEBUI_CLIENT_ID,
            redirectUris: [`${base}/account/oauth/callback`, `${base}/admin/oauth/callback`],
            postLogoutRedirectUris: [`${base}/account/login`, `${base}/admin/login`],
        },
        webuiAudienceAccepted: s.oidc.audience === WEBUI_CLIENT_ID,
    };
    const domains = [s.domain, ...accountDomains(s)];
    return {
        ...(oidc ? { oidc } : {}),
        automationKey: automationKeyPlan(s.stack, specs),
        dnsRecords: domains.flatMap((d) => recordsFor(d, s.hostname)),
    };
}
