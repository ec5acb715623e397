/** check: the inputs normalized against the type's schema subset, or the failures naming each property. */
import type * as pulumi from "@pulumi/pulumi";
import { checkProperties, unwrap } from "../normalize";
import type { Ctx, Obj } from "./context";
import { ACCOUNT_SCOPED, defaultProviderVersion } from "./facts";

export async function check(
    ctx: Ctx,
    olds: Obj,
    raw: Obj,
): Promise<{ inputs: Obj; failures: pulumi.dynamic.CheckFailure[] }> {
    const subset = ctx.subset();
    // properties are unwrapped by checkProperties, which then never shows a sealed value in a reason
    const news: Obj = { ...unwrap(raw), properties: raw.properties };
    const failures: pulumi.dynamic.CheckFailure[] = [];
    if (news.objectType !== ctx.type)
        failures.push({
            property: "objectType",
            reason: `this provider manages ${ctx.type}, not ${JSON.stringify(news.objectType)}`,
        });
    const creating = subset.object.kind === "collection";
    const checked = checkProperties(subset, news.properties, { creating, lowercase: ctx.lowercase });
    failures.push(...checked.failures);
    const inputs: Obj = { objectType: news.objectType, properties: checked.properties };
    if (news.accountId !== undefined && news.accountId !== null) {
        if (!ctx.accountScoped)
            failures.push({
                property: "accountId",
                reason: `${ctx.type} is not account-scoped; accountId applies to ${ACCOUNT_SCOPED.join(", ")}`,
            });
        else inputs.accountId = news.accountId;
    }
    inputs.adopt = news.adopt ?? olds?.adopt ?? ctx.naturalKeys().length > 0;
    inputs.providerVersion = news.providerVersion ?? defaultProviderVersion(subset);
    return { inputs, failures };
}
