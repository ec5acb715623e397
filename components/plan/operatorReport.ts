/**
 * The plan's sections for what an operator sets up outside tailwart: the identity provider's side
 * of `oidc`, the DNS records to publish, and the automation key of the hand-off. Pure text.
 */
import type { OperatorPlan } from "./operatorPlan";

export function operatorSections(op: OperatorPlan | undefined): string[] {
    if (!op) return [];
    const out: string[] = [];
    if (op.oidc) {
        const o = op.oidc;
        out.push(
            "== identity provider (oidc): what it must be set up with",
            `  default directory  x:Directory ${o.directoryKey}, bound by the convergence once a reload built it (discovery and JWKS fetched from ${o.issuer})`,
            `  issuer             tokens must carry iss=${o.issuer} (exactly its discovery document's "issuer"; a trailing / aside)`,
            `  audience           tokens must carry aud=${o.audience}`,
            `  web UI client      public PKCE client (S256, no secret) with client_id ${o.webui.clientId}, the same issuer, CORS allowed on its token endpoint`,
            `    redirect URIs    ${o.webui.redirectUris.join(" ")}`,
            `    post-logout      ${o.webui.postLogoutRedirectUris.join(" ")}`,
            o.webuiAudienceAccepted
                ? `    its tokens carry aud=${o.webui.clientId}, which the directory accepts`
                : `    WARNING: its tokens carry aud=${o.webui.clientId}, not ${o.audience}: web UI logins are refused until the IdP adds ${o.audience} to them (audience mapper)`,
            "",
        );
    }
    out.push(
        "== DNS records to publish (values: `pulumi stack output dnsRecords` after the deploy reads them from Stalwart)",
    );
    for (const r of op.dnsRecords)
        out.push(`  ${r.type.padEnd(5)} ${r.name.padEnd(44)} ${r.value ?? "(value from Stalwart)"}  ; ${r.purpose}`);
    const k = op.automationKey.properties;
    out.push(
        "",
        "== automation API key (hand-off from the recovery admin)",
        `  x:ApiKey in x:Account ${op.automationKey.account}, exported as the secret output stalwartApiKey; then set stalwart:token from it and remove the recovery admin`,
        `  signs in from     ${Object.keys(k.allowedIps).join(" ")} only`,
        `  permissions       ${Object.keys(k.permissions.permissions).length} (replace the account's): ${Object.keys(k.permissions.permissions).join(" ")}`,
        "",
    );
    return out;
}
