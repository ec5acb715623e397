import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { clearOccurrences, installMocks, type Registry, secretness, settle, unwrap, resolved } from "./harness";

type Mod = typeof import("../../components/backends/postgres");
let registry: Registry;
let mod: Mod;

const args = (over: Partial<ConstructorParameters<Mod["PostgresDatabase"]>[1]> = {}) => ({
    host: "the-record-prod.tail7b1641.ts.net",
    port: 5432,
    database: "stalwart",
    role: "stalwart",
    adminUser: "postgres",
    adminPassword: pulumi.secret("admin-pw-789"),
    sslmode: "require",
    retainOnDelete: true,
    ...over,
});

beforeAll(async () => {
    registry = await installMocks({ stack: "prod" });
    mod = await import("../../components/backends/postgres");
});

describe("PostgresDatabase", () => {
    let db: InstanceType<Mod["PostgresDatabase"]>;
    beforeAll(async () => {
        db = new mod.PostgresDatabase("pg", args());
        await resolved(db.database);
        await settle(registry);
    });

    it("talks to the shared server through its own provider, admin password secret", () => {
        const p = registry.one("pulumi:providers:postgresql", "pg-server");
        expect(p.inputs).toMatchObject({
            host: "the-record-prod.tail7b1641.ts.net",
            port: "5432",
            username: "postgres",
            sslmode: "require",
            database: "postgres",
        });
        expect(unwrap(p.inputs.password)).toEqual({ value: "admin-pw-789", secret: true });
        expect(clearOccurrences(p.inputs, "admin-pw-789")).toEqual([]);
        for (const type of ["postgresql:index/role:Role", "postgresql:index/database:Database"]) {
            expect(registry.providerOf(registry.one(type))?.urn, type).toBe(p.urn);
        }
    });

    it("creates a login role with the generated password, and a database the role owns", () => {
        const pw = registry.one("random:index/randomPassword:RandomPassword", "pg-password");
        expect(pw.inputs).toMatchObject({ length: 32, special: false });
        const role = registry.one("postgresql:index/role:Role");
        expect(role.inputs).toMatchObject({ name: "stalwart", login: true });
        expect(unwrap(role.inputs.password)).toEqual({ value: "generated-password-pg-password", secret: true });
        const database = registry.one("postgresql:index/database:Database");
        expect(database.inputs).toMatchObject({ name: "stalwart", owner: "stalwart" });
        expect(database.dependencies).toContain(role.urn);
    });

    it("keeps role and database on destroy", () => {
        expect(registry.one("postgresql:index/role:Role", "pg-role").retainOnDelete).toBe(true);
        expect(registry.one("postgresql:index/database:Database", "pg-database").retainOnDelete).toBe(true);
    });

    it("outputs the connection facts, the password as a secret", async () => {
        expect(await resolved(db.host)).toBe("the-record-prod.tail7b1641.ts.net");
        expect(await resolved(db.port)).toBe(5432);
        expect(await resolved(db.role)).toBe("stalwart");
        expect(await resolved(db.database)).toBe("stalwart");
        expect(await secretness(db.password)).toEqual({ value: "generated-password-pg-password", secret: true });
    });
});

describe("PostgresDatabase with allowDataLoss", () => {
    it("lets destroy drop the role and the database", async () => {
        const db = new mod.PostgresDatabase(
            "lossy",
            args({ retainOnDelete: false, database: "scratch", role: "scratch" }),
        );
        await resolved(db.database);
        await settle(registry);
        expect(registry.one("postgresql:index/role:Role", "lossy-role").retainOnDelete).toBe(false);
        expect(registry.one("postgresql:index/database:Database", "lossy-database").retainOnDelete).toBe(false);
    });
});

it("leaves the admin password to PGPASSWORD when none is given", async () => {
    const db = new mod.PostgresDatabase("nopw", args({ adminPassword: undefined, database: "np", role: "np" }));
    await resolved(db.database);
    await settle(registry);
    expect(registry.one("pulumi:providers:postgresql", "nopw-server").inputs).not.toHaveProperty("password");
});
