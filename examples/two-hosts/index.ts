/**
 * The whole mail system from settings written in code: a tailnet-only mailbox host running Stalwart
 * in a Tailscale sidecar's network namespace, and a public edge host passing the mail ports to it
 * with PROXY protocol v2. `parseSettings` checks the object exactly as it checks a stack file and
 * throws one ConfigError listing every problem, before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { MailDeployment, parseSettings, type SettingsInput } from "tailwart";

const config = new pulumi.Config();
const tailnet = "tail0example.ts.net";

const input: SettingsInput = {
    domain: "example.org",
    hostname: "mail.example.org",
    tailnet,
    stalwart: { image: "stalwartlabs/stalwart:v0.16.18" },
    // the mailbox host is on the tailnet only; the edge host has the public IP
    mailbox: { dockerHost: `ssh://deploy@mailbox.${tailnet}` },
    edge: { dockerHost: "ssh://deploy@edge.example.org", ports: [25, 465, 587, 143, 993, 443] },
    // set with `pulumi config set --secret postgresAdminPassword …`; it stays a secret end to end
    postgres: {
        host: `db.${tailnet}`,
        database: "stalwart",
        role: "stalwart",
        adminPassword: config.get("postgresAdminPassword"),
    },
    redis: { url: `redis://cache.${tailnet}:6379/4` },
    garage: { s3Endpoint: `http://garage.${tailnet}:3900`, adminEndpoint: `http://garage.${tailnet}:3903` },
    acme: { directory: "staging", contact: ["postmaster@example.org"] },
};

const mail = new MailDeployment("mail", { settings: parseSettings(input, pulumi.getStack()) });

export const mailboxFqdn = mail.mailboxFqdn;
export const acmeDirectory = mail.acmeDirectory;
export const aclHujson = mail.aclHujson;
export const stalwartObjects = mail.stalwartObjects;
