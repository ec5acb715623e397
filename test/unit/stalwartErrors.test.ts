// SetError and method-error messages: object, property, server description, the other object.
import { describe, expect, it } from "vitest";
import { methodErrorMessage, pathsTo, setErrorMessage, shown } from "../../components/stalwart/errors";

const who = 'x:Domain "example.test" (id "b")';

describe("setErrorMessage", () => {
    it("names the object, the property and the server's description", () => {
        expect(
            setErrorMessage("update", who, {
                type: "invalidPatch",
                properties: ["createdAt"],
                description: "Cannot modify server set property",
            }),
        ).toBe(
            'x:Domain "example.test" (id "b"): update failed with invalidPatch on property createdAt: Cannot modify server set property',
        );
        expect(
            setErrorMessage("create", who, {
                type: "invalidProperties",
                properties: ["name"],
                description: "Invalid domain name",
            }),
        ).toMatch(/invalidProperties on property name: Invalid domain name/);
    });

    it("objectIsLinked and invalidForeignKey name the other object", () => {
        const linked = setErrorMessage("destroy", who, {
            type: "objectIsLinked",
            objectId: { object: "Domain", id: "b" },
            linkedObjects: [
                { object: "Account", id: "c" },
                { object: "DkimSignature", id: "x1" },
            ],
        });
        expect(linked).toMatch(/still referenced by x:Account id "c", x:DkimSignature id "x1"/);
        const fk = setErrorMessage("create", 'x:Account name="a" domainId="zz"', {
            type: "invalidForeignKey",
            properties: ["domainId"],
            objectId: { object: "Domain", id: "zz" },
        });
        expect(fk).toMatch(/invalidForeignKey on property domainId \(refers to x:Domain id "zz", which does not exist/);
    });

    it("invalidForeignKey with only objectId (docs/stalwart-facts.md#set-errors): the property is found in the inputs sent, set members and nested values too", () => {
        const err = { type: "invalidForeignKey", objectId: { object: "Directory", id: "zz" } };
        expect(
            setErrorMessage("update", "x:Authentication", err, undefined, undefined, {
                directoryId: "zz",
                passwordMinLength: 8,
            }),
        ).toBe(
            'x:Authentication: update failed with invalidForeignKey on property directoryId (refers to x:Directory id "zz", which does not exist or is not visible)',
        );
        const inputs = {
            "@type": "User",
            name: "a",
            domainId: "b",
            memberGroupIds: { c: true, zz: true },
            aliases: { "0": { name: "x", domainId: "zz" } },
        };
        expect(pathsTo(inputs, "zz")).toEqual(["memberGroupIds", "aliases/0/domainId"]);
        expect(
            setErrorMessage(
                "create",
                "x:Account",
                { ...err, objectId: { object: "Account", id: "zz" } },
                undefined,
                undefined,
                inputs,
            ),
        ).toMatch(/invalidForeignKey on properties memberGroupIds, aliases\/0\/domainId \(refers to x:Account id "zz"/);
        // the server's properties win; without inputs or a match the message still names the target
        expect(
            setErrorMessage("create", "x:A", { ...err, properties: ["roleIds"] }, undefined, undefined, inputs),
        ).toMatch(/on property roleIds \(/);
        expect(setErrorMessage("create", "x:A", err)).toMatch(
            /x:A: create failed with invalidForeignKey \(refers to x:Directory id "zz"/,
        );
    });

    it("primaryKeyViolation may name the existing object by existingId only", () => {
        expect(
            setErrorMessage("create", who, { type: "primaryKeyViolation", properties: ["name"], existingId: "c" }),
        ).toMatch(/on property name \(id "c" already has this value; set adopt/);
    });

    it("primaryKeyViolation, validationFailed (secret values withheld), singleton, notFound, others", () => {
        expect(
            setErrorMessage("create", who, {
                type: "primaryKeyViolation",
                properties: ["name"],
                objectId: { object: "Domain", id: "c" },
            }),
        ).toMatch(/x:Domain id "c" already has this value; set adopt/);
        const vf = setErrorMessage(
            "create",
            "x:OAuthClient",
            {
                type: "validationFailed",
                validationErrors: [
                    { type: "Required", property: "clientId" },
                    { type: "Invalid", property: "secret", value: "hunter2" },
                    { type: "MinLength", property: "bind", required: 1 },
                ],
            },
            (p) => p === "secret",
        );
        expect(vf).toMatch(/clientId is required; secret is invalid; bind: MinLength 1/);
        expect(vf).not.toContain("hunter2");
        expect(setErrorMessage("destroy", "x:Authentication", { type: "singleton" })).toMatch(
            /singletons are updated in place/,
        );
        expect(setErrorMessage("update", who, { type: "notFound" })).toMatch(
            /notFound \(the object or a #reference does not exist\)/,
        );
        for (const type of ["willDestroy", "forbidden", "overQuota"])
            expect(setErrorMessage("update", who, { type, description: "why" })).toBe(
                `${who}: update failed with ${type}: why`,
            );
    });

    it("primaryKeyViolation: the adopt hint only on create; a refused adoption says what the other object is", () => {
        const err = { type: "primaryKeyViolation", properties: ["aliases"], objectId: { object: "Domain", id: "c" } };
        expect(setErrorMessage("update", who, err)).toBe(
            `${who}: update failed with primaryKeyViolation on property aliases (x:Domain id "c" already has this value)`,
        );
        expect(setErrorMessage("create", 'x:Domain "b.test"', err, undefined, 'is x:Domain "a.test"')).toBe(
            'x:Domain "b.test": create failed with primaryKeyViolation on property aliases (x:Domain id "c" is x:Domain "a.test"; not adopted)',
        );
    });

    it("method errors", () => {
        expect(
            methodErrorMessage("x:Domain/set", who, { type: "forbidden", description: "needs sysDomainCreate" }),
        ).toBe(`${who}: x:Domain/set failed with method error forbidden: needs sysDomainCreate`);
    });
});

describe("values in messages", () => {
    it("mask the password of a URL, which the schema does not call secret (x:InMemoryStore url)", () => {
        const err = {
            type: "validationFailed",
            validationErrors: [{ property: "url", type: "Invalid", value: "redis://:hunter2-redis@r.test:6379/2" }],
        };
        const message = setErrorMessage("update", "x:InMemoryStore", err);
        expect(message).toContain("redis://:***@r.test:6379/2");
        expect(message).not.toContain("hunter2");
        const described = setErrorMessage("create", "x:InMemoryStore", {
            type: "invalidProperties",
            description: "cannot connect to redis://:hunter2-redis@r.test:6379/2",
        });
        expect(described).toContain("redis://:***@r.test");
        expect(described).not.toContain("hunter2");
        expect(shown({ url: "https://user:pw@h.test/x", plain: "https://h.test:8080/" })).toBe(
            '{"url":"https://user:***@h.test/x","plain":"https://h.test:8080/"}',
        );
    });
});
