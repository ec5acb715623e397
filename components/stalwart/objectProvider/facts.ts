/**
 * Facts about x:* types the provider core and the resource side share: which live inside an account,
 * which strings Stalwart lower-cases, and the provider's code version.
 */
import type { ObjectSchemaSubset } from "../schema/types";

/** Bump when the provider's behaviour changes, so `providerVersion` forces an update everywhere. */
export const PROVIDER_CODE_VERSION = "2";

/**
 * Objects that live inside the account named by the request's `accountId` (the JMAP accountId; the
 * server substitutes the caller's own account when it is left out).
 */
export const ACCOUNT_SCOPED: readonly string[] = [
    "x:AccountPassword", "x:AccountSettings", "x:ApiKey", "x:AppPassword", "x:ArchivedItem", "x:MaskedEmail", "x:PublicKey", "x:SpamTrainingSample",
];

/** Top-level properties whose strings Stalwart lower-cases (domain names, local parts). */
export const LOWERCASE_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
    "x:Domain": ["name", "aliases"],
    "x:Account": ["name"],
    "x:MailingList": ["name"],
};

export const defaultProviderVersion = (subset: ObjectSchemaSubset) => `${subset.source.version}+p${PROVIDER_CODE_VERSION}`;
