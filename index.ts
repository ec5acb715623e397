/**
 * The tailwart program: the stack's `tailwart:*` config → Settings → MailDeployment → exports.
 * A bad config stops here with one ConfigError listing every problem, before any resource exists.
 * Every export is a stack output, so only outputs are exported; secrets stay Pulumi secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import { MailDeployment, parseSettings } from "./components";
import { rawConfigFrom } from "./components/config/programConfig";

// which top-level keys hold a secret (the SDK's own test, not in its typings); without it, assume every one may
const isConfigSecret =
    (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret ?? (() => true);
const settings = parseSettings(rawConfigFrom(pulumi.runtime.allConfig(), isConfigSecret), pulumi.getStack());
const deployment = new MailDeployment("tailwart", { settings });

export const mailboxFqdn = deployment.mailboxFqdn;
export const acmeDirectory = deployment.acmeDirectory;
export const caddyJson = deployment.caddyJson;
export const configJson = deployment.configJson;
export const aclHujson = deployment.aclHujson;
export const postgres = deployment.postgres;
export const redis = deployment.redis;
export const garage = deployment.garage;
export const stalwartObjects = deployment.stalwartObjects;
export const pendingRestart = deployment.pendingRestart;
export const dnsRecords = deployment.dnsRecords;
export const stalwartApiKey = deployment.stalwartApiKey;
