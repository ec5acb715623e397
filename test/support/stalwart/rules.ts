/**
 * Type-specific behaviour of the generic handler (docs/stalwart-facts.md#objects): domain-name normalization and
 * automatic DKIM signatures for Domain, password rules and "****" keep-old for Account
 * credentials, live ACME registration for AcmeProvider, and the values computed on /get.
 */
import { createHash, randomBytes } from "node:crypto";
import { invalidProperties, SetErrorException } from "./errors";
import type { Registry } from "./registry";
import { MASKED } from "./registry";
import { isPlainObject, type Json, type JsonObject, utcNow } from "./tableView";
import { normalizeDomainName } from "./validate";

export interface RulesEnv {
    registry: Registry;
    /** ACME directory URLs a registration can reach */
    reachableAcme: Set<string>;
}

const fakePem = (label: string) =>
    `-----BEGIN ${label}-----\n${randomBytes(48).toString("base64")}\n-----END ${label}-----\n`;

/** Normalization and business rules applied after patching, before validate(). */
export function beforeWrite(env: RulesEnv, type: string, obj: JsonObject, old: JsonObject | undefined): void {
    switch (type) {
        case "x:Domain":
            if (typeof obj.name === "string" && obj.name !== "") obj.name = normalizeDomainName(obj.name, "name");
            if (isPlainObject(obj.aliases)) {
                obj.aliases = Object.fromEntries(
                    Object.keys(obj.aliases).map((a) => [normalizeDomainName(a, `aliases/${a}`), true]),
                );
            }
            return;
        case "x:Account":
            lowerAddresses(obj);
            accountCredentials(obj, old);
            return;
        case "x:MailingList":
            lowerAddresses(obj);
            return;
        case "x:AcmeProvider":
            if (!old) register(env, obj);
            return;
    }
}

/** Local parts (the name and every alias name) are lower-cased. */
function lowerAddresses(obj: JsonObject): void {
    if (typeof obj.name === "string") obj.name = obj.name.trim().toLowerCase();
    if (isPlainObject(obj.aliases)) {
        for (const alias of Object.values(obj.aliases))
            if (isPlainObject(alias) && typeof alias.name === "string") alias.name = alias.name.trim().toLowerCase();
    }
}

/** Password credential rules; a "****" secret keeps the stored one (the only place it does). */
function accountCredentials(obj: JsonObject, old: JsonObject | undefined): void {
    if (!isPlainObject(obj.credentials)) return;
    const previous = isPlainObject(old?.credentials) ? old.credentials : {};
    let passwords = 0;
    for (const [idx, cred] of Object.entries(obj.credentials)) {
        if (!isPlainObject(cred)) continue;
        const before = previous[idx];
        if (cred.secret === MASKED && isPlainObject(before) && typeof before.secret === "string")
            cred.secret = before.secret;
        if ("credentialId" in cred && (cred.credentialId === "" || cred.credentialId === null)) {
            cred.credentialId =
                isPlainObject(before) && typeof before.credentialId === "string" && before.credentialId !== ""
                    ? before.credentialId
                    : idx;
        }
        if (cred["@type"] !== "Password") continue;
        passwords++;
        const secret = cred.secret;
        const hashed = typeof secret === "string" && /^(\$|\{)/.test(secret);
        const unchanged = isPlainObject(before) && before.secret === secret;
        if (typeof secret === "string" && !hashed && !unchanged && (secret.length < 8 || secret.length > 128)) {
            throw invalidProperties(`credentials/${idx}/secret`, "Password must be between 8 and 128 characters.");
        }
    }
    if (passwords > 1) throw invalidProperties("credentials", "Only one password credential is allowed.");
}

/** ACME account registration happens inside create; an unreachable directory fails it. */
function register(env: RulesEnv, obj: JsonObject): void {
    const directory = String(obj.directory ?? "");
    if (!env.reachableAcme.has(directory)) {
        throw new SetErrorException({
            type: "invalidProperties",
            properties: ["directory"],
            description: `Failed to create ACME account: error sending request for url (${directory})`,
        });
    }
    obj.accountKey = fakePem("PRIVATE KEY");
    obj.accountUri = `${new URL(directory).origin}/acme/acct/${randomBytes(6).toString("hex")}`;
}

const ALGORITHM_LABEL: Record<string, string> = {
    Dkim1Ed25519Sha256: "ed25519",
    Dkim1RsaSha256: "rsa",
    Dkim2Ed25519Sha256: "ed25519",
    Dkim2RsaSha256: "rsa",
};

/** Domain create with automatic DKIM schedules signatures linked to the domain; created at once here. */
export function afterCreate(env: RulesEnv, type: string, id: string, obj: JsonObject): void {
    const dkim = obj.dkimManagement;
    if (type !== "x:Domain" || !isPlainObject(dkim) || dkim["@type"] !== "Automatic") return;
    const d = env.registry.view.object("x:DkimSignature");
    if (!d) return;
    const date = utcNow().slice(0, 10).replace(/-/g, "");
    const algorithms = isPlainObject(dkim.algorithms) ? Object.keys(dkim.algorithms) : [];
    for (const algorithm of algorithms) {
        if (!env.registry.view.variants(d.schema)?.[algorithm]) continue;
        const sig = env.registry.view.defaultObject(d.schema, algorithm);
        const template =
            typeof dkim.selectorTemplate === "string" ? dkim.selectorTemplate : "v{version}-{algorithm}-{date-%Y%m%d}";
        sig.domainId = id;
        sig.selector = template
            .replace("{version}", algorithm.startsWith("Dkim2") ? "2" : "1")
            .replace("{algorithm}", ALGORITHM_LABEL[algorithm] ?? algorithm)
            .replace(/\{date-[^}]*\}/, date);
        sig.privateKey = { "@type": "Text", secret: fakePem("PRIVATE KEY") };
        env.registry.put("x:DkimSignature", env.registry.allocateId("x:DkimSignature"), sig);
    }
}

const text = (v: Json | undefined) => (typeof v === "string" ? v : "");

/** serverSet values computed on /get. */
export function computeOnGet(env: RulesEnv, type: string, id: string, obj: JsonObject): void {
    const domainName = (domainId: Json | undefined) => text(env.registry.get("x:Domain", text(domainId))?.name);
    if ((type === "x:Account" || type === "x:MailingList") && "emailAddress" in obj) {
        obj.emailAddress = `${text(obj.name)}@${domainName(obj.domainId)}`;
    }
    if (type === "x:Account" && "usedDiskQuota" in obj) obj.usedDiskQuota = 0;
    if (type === "x:DkimSignature" && "publicKey" in obj) {
        const key = isPlainObject(obj.privateKey)
            ? text(obj.privateKey.secret) || text(obj.privateKey.variableName)
            : "";
        obj.publicKey = createHash("sha256").update(key).digest("base64");
    }
    if (type === "x:AcmeProvider" && "description" in obj) {
        obj.description = `${text(obj.directory)}#${text(obj.accountUri).split("/").pop() ?? ""}`;
    }
    if (type === "x:Domain" && "dnsZoneFile" in obj) obj.dnsZoneFile = zoneFile(env, id, text(obj.name));
}

function zoneFile(env: RulesEnv, id: string, name: string): string {
    const lines = [
        `$ORIGIN ${name}.`,
        `@ IN MX 10 mail.${name}.`,
        `@ IN TXT "v=spf1 mx -all"`,
        `_dmarc IN TXT "v=DMARC1; p=reject; rua=mailto:postmaster@${name}"`,
    ];
    for (const [, sig] of env.registry.entries("x:DkimSignature")) {
        if (sig.domainId !== id) continue;
        const pub = createHash("sha256")
            .update(JSON.stringify(sig.privateKey ?? ""))
            .digest("base64");
        lines.push(`${text(sig.selector)}._domainkey IN TXT "v=DKIM1; p=${pub}"`);
    }
    return `${lines.join("\n")}\n`;
}
