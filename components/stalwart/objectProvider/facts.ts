/**
 * Facts about x:* types the provider core and the resource side share: which live inside an account,
 * which strings Stalwart lower-cases, and the provider's code version.
 */
import { ACCOUNT_SCOPED } from "../generated/accountScoped";
import type { ObjectSchemaSubset } from "../schema/types";

/**
 * Bump when the provider's behaviour changes, so `providerVersion` forces an update everywhere: the
 * update also stores the new provider code in state, which is the code a later delete runs (3:
 * adoption recorded, delete gives adopted objects back, decision 012).
 */
export const PROVIDER_CODE_VERSION = "3";

/** Objects that live inside the account a request's JMAP `accountId` names: generated from the schema facts. */
export { ACCOUNT_SCOPED };

/** Top-level properties whose strings Stalwart lower-cases (domain names, local parts). */
export const LOWERCASE_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
    "x:Domain": ["name", "aliases"],
    "x:Account": ["name"],
    "x:MailingList": ["name"],
};

export const defaultProviderVersion = (subset: ObjectSchemaSubset) =>
    `${subset.source.version}+p${PROVIDER_CODE_VERSION}`;
