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
    /** the managed domain it is for */
    domain: string;
    /** the record's name (`<selector>` where Stalwart chooses it) */
    name: string;
    /** its type */
    type: string;
    /** what it is for */
    purpose: string;
    /** its value, where the plan knows it */
    value?: string;
}

/** What the identity provider must be set up with for `oidc`. */
export interface OidcPlan {
    /** spec key of the x:Directory the convergence binds as the default directory */
    directoryKey: string;
    /** the issuer, as configured */
    issuer: string;
    /** the audience every token must carry */
    audience: string;
    /** the web UI's public PKCE client as the identity provider must register it */
    webui: {
        /** its client id */
        clientId: string;
        /** the redirect URIs to register */
        redirectUris: string[];
        /** the post-logout redirect URIs to register */
        postLogoutRedirectUris: string[];
    };
    /** false when tokens of the web UI's client do not carry `audience` unless the IdP adds it */
    webuiAudienceAccepted: boolean;
}

/** What the plan tells an operator beyond the objects. */
export interface OperatorPlan {
    /** what the identity provider must be set up with, when `oidc` is set */
    oidc?: OidcPlan;
    /** the automation API key of the hand-off */
    automationKey: AutomationKeyPlan;
    /** the DNS records each managed domain will need */
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
