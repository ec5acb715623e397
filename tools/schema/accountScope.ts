/**
 * Which x:* objects live inside an account rather than on the server: a request for them names the
 * account in the JMAP `accountId`, so their typed classes take an `accountId` option and the provider
 * accepts one. Derived from the facts file, so a Stalwart upgrade that adds such an object is picked
 * up; the generator writes the list to components/stalwart/generated/accountScoped.ts.
 */
import type { FactsFile } from "./input";

/** The facts flag for objects whose accountId is taken from the request (x:MaskedEmail, x:PublicKey, …). */
const ACCOUNT_SCOPED_FLAG = "accountScoped";

/**
 * Handlers that act on the account the request names: the account's own settings and password
 * (`account_self`) and its credentials (`account_credential`: API keys, app passwords).
 */
export const ACCOUNT_HANDLERS: readonly string[] = ["account_self", "account_credential"];

/** Sorted; empty without facts (the registry schema alone does not say). */
export function accountScopedObjects(facts: FactsFile | undefined): string[] {
    if (!facts) return [];
    return Object.entries(facts.objects)
        .filter(([, object]) => object.flags.includes(ACCOUNT_SCOPED_FLAG) || ACCOUNT_HANDLERS.includes(object.handler))
        .map(([name]) => name)
        .sort();
}
