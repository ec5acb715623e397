/**
 * What the server stores on its own, outside any /set: a certificate an ACME renewal obtained
 * (x:Certificate, whose issuer, validity and subjectAlternativeNames the server parses from the
 * PEM; serverSet, so no client can write them) and the task manager's x:Task entries (e.g. an
 * AcmeRenewal whose order went INVALID). Tests use these to stand a registry in a known state.
 */
import { randomBytes } from "node:crypto";
import type { Registry } from "./registry";
import type { JsonObject } from "./tableView";

export interface IssuedCertificate {
    subjectAlternativeNames: string[];
    /** RFC 3339 UTC, e.g. 2027-01-31T12:00:00Z */
    notValidAfter: string;
    notValidBefore?: string;
    issuer?: string;
}

const pem = (label: string) =>
    `-----BEGIN ${label}-----\n${randomBytes(48).toString("base64")}\n-----END ${label}-----\n`;

export function storeCertificate(registry: Registry, cert: IssuedCertificate): string {
    const obj = registry.view.defaultObject(registry.descriptor("x:Certificate").schema);
    Object.assign(obj, {
        certificate: { "@type": "Text", value: pem("CERTIFICATE") },
        privateKey: { "@type": "Text", secret: pem("PRIVATE KEY") },
        issuer: cert.issuer ?? "(STAGING) Counterfeit Cashew R10",
        notValidBefore:
            cert.notValidBefore ??
            new Date(Date.parse(cert.notValidAfter) - 90 * 24 * 3600 * 1000).toISOString().replace(/\.\d+Z$/, "Z"),
        notValidAfter: cert.notValidAfter,
        subjectAlternativeNames: Object.fromEntries(cert.subjectAlternativeNames.map((n) => [n, true])),
    });
    const id = registry.allocateId("x:Certificate");
    registry.put("x:Certificate", id, obj);
    return id;
}

/**
 * A task as the task manager keeps it: `@type` (e.g. AcmeRenewal), its fields (domainId) and a
 * status (`{"@type":"Failed","failureReason":…}`); omitted fields take their defaults.
 */
export function storeTask(registry: Registry, task: JsonObject & { "@type": string }): string {
    const schema = registry.descriptor("x:Task").schema;
    const obj = { ...registry.view.defaultObject(schema, task["@type"]), ...task };
    const id = registry.allocateId("x:Task");
    registry.put("x:Task", id, obj);
    return id;
}
