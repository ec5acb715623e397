import { describe, expect, expectTypeOf, it } from "vitest";
import type {
    AccountProperties,
    DomainProperties,
    Duration,
    Inputs,
    NetworkListenerProperties,
} from "../../components/stalwart/generated/types";
import { objectDescriptor, TABLE } from "../../components/stalwart/schema/table";
import { isVariantSchema } from "../../components/stalwart/schema/types";

/** Every key of a sample must be a client-writable field of the object's schema (or its variant). */
function writableFieldsOf(schema: string, variant?: string): string[] {
    const descriptor = TABLE.schemas[schema];
    if (!descriptor) throw new Error(`no schema ${schema}`);
    if (isVariantSchema(descriptor)) {
        const target = descriptor.variants[variant ?? descriptor.defaultVariant];
        return target ? writableFieldsOf(target) : [];
    }
    return Object.entries(descriptor.fields)
        .filter(([, field]) => field.update !== "serverSet")
        .map(([name]) => name);
}

describe("generated property types", () => {
    it("type a Domain with its mandatory name and an embedded variant, and reject serverSet fields", () => {
        const domain: DomainProperties = {
            name: "example.org",
            dkimManagement: { "@type": "Manual" },
            aliases: ["mail.example.org"],
        };
        // @ts-expect-error name is mandatory (mustProvide)
        const withoutName: DomainProperties = { isEnabled: true };
        // @ts-expect-error dnsZoneFile is serverSet, so not part of the writable type
        const withServerSet: DomainProperties = { name: "example.org", dnsZoneFile: "" };
        expect([withoutName, withServerSet]).toHaveLength(2);
        expect(Object.keys(domain).every((key) => writableFieldsOf("x:Domain").includes(key))).toBe(true);
    });

    it("type variant objects as unions on @type and accept unit durations", () => {
        const user: AccountProperties = { "@type": "User", name: "alice", domainId: "b", memberGroupIds: { c: true } };
        // @ts-expect-error the variant tag is required to pick the field set
        const untagged: AccountProperties = { name: "alice", domainId: "b" };
        const listener: NetworkListenerProperties = {
            name: "smtp",
            bind: ["[::]:25"],
            protocol: "smtp",
            tlsTimeout: "1m",
        };
        expectTypeOf<"30s">().toExtend<Duration>();
        expectTypeOf<Inputs<DomainProperties>["name"]>().toExtend<unknown>();
        expect(untagged).toBeDefined();
        expect(
            Object.keys(user)
                .filter((k) => k !== "@type")
                .every((key) => writableFieldsOf("x:Account", "User").includes(key)),
        ).toBe(true);
        expect(Object.keys(listener).every((key) => writableFieldsOf("x:NetworkListener").includes(key))).toBe(true);
        expect(objectDescriptor("x:NetworkListener").naturalKey).toBe("name");
    });
});
