/**
 * A small hand-written SchemaTable with the objects the simulator's traps need (Domain and its
 * DKIM signatures, Account credentials, Directory, settings singletons, Action, AcmeProvider,
 * ApiKey, restart-scoped NetworkListener/BlobStore, …). Facts mirror Stalwart v0.16; it lets the
 * simulator be exercised independently of the generated table.
 */
import type {
    ElementDescriptor,
    FieldDescriptor,
    ObjectDescriptor,
    SchemaDescriptor,
    SchemaTable,
} from "../../../components/stalwart/schema/types";

type Opts = Partial<FieldDescriptor>;
const field = (kind: FieldDescriptor["kind"], o: Opts = {}): FieldDescriptor => ({
    kind,
    nullable: false,
    update: "mutable",
    ...o,
});
const str = (o: Opts = {}) => field("string", { format: "string", ...o });
const optStr = (o: Opts = {}) => str({ nullable: true, ...o });
const req = (o: Opts = {}) => str({ required: true, mustProvide: o.default === undefined, ...o });
const num = (format: string, o: Opts = {}) => field("number", { format, ...o });
const bool = (def?: boolean) => field("boolean", def === undefined ? {} : { default: def });
const en = (enumName: string, o: Opts = {}) => field("enum", { enumName, ...o });
const obj = (objectName: string, o: Opts = {}) => field("object", { objectName, ...o });
const ref = (objectName: string, o: Opts = {}) => field("objectId", { objectName, ...o });
const set = (element: ElementDescriptor, o: Opts = {}) => field("set", { element, ...o });
const list = (objectName: string, o: Opts = {}) =>
    field("objectList", { element: { kind: "object", objectName }, ...o });
const map = (key: ElementDescriptor, value: ElementDescriptor, o: Opts = {}) => field("map", { key, value, ...o });
const date = (o: Opts = {}) => field("utcDateTime", o);
const serverSet = (f: FieldDescriptor): FieldDescriptor => ({ ...f, update: "serverSet", mustProvide: false });
const strings: ElementDescriptor = { kind: "string", format: "string" };
const single = (fields: Record<string, FieldDescriptor>): SchemaDescriptor => ({ fields });
const variants = (v: Record<string, string | null>): SchemaDescriptor => ({
    variants: v,
    defaultVariant: Object.keys(v)[0]!,
});

function object(name: string, o: Partial<ObjectDescriptor> = {}): ObjectDescriptor {
    return {
        name,
        kind: "collection",
        schema: name,
        unique: [],
        foreignKeys: [],
        computedOnGet: [],
        notReturnedByGet: [],
        sequentialId: false,
        enterprise: false,
        ...o,
    };
}

const secondaryCredential = single({
    description: req(),
    expiresAt: date({ nullable: true }),
    permissions: obj("x:CredentialPermissions"),
    allowedIps: set({ kind: "string", format: "ipNetwork" }),
    secret: serverSet(req({ format: "secret" })),
    createdAt: serverSet(date()),
});

export const FIXTURE_TABLE: SchemaTable = {
    source: { version: "fixture-v0.16", sha256: "fixture" },
    objects: {
        "x:Domain": object("x:Domain", {
            unique: ["aliases", "name"],
            naturalKey: "name",
            sequentialId: true,
            computedOnGet: ["dnsZoneFile"],
            foreignKeys: [{ via: "directoryId", object: "x:Directory" }],
        }),
        "x:DkimSignature": object("x:DkimSignature", {
            computedOnGet: ["publicKey"],
            foreignKeys: [{ via: "domainId", object: "x:Domain" }],
        }),
        "x:Account": object("x:Account", {
            sequentialId: true,
            naturalKeyComposite: ["name", "domainId"],
            computedOnGet: ["emailAddress", "usedDiskQuota"],
            foreignKeys: [{ via: "domainId", object: "x:Domain" }],
        }),
        "x:ApiKey": object("x:ApiKey"),
        "x:AppPassword": object("x:AppPassword"),
        "x:Role": object("x:Role", { sequentialId: true }),
        "x:OAuthClient": object("x:OAuthClient", { sequentialId: true, unique: ["clientId"], naturalKey: "clientId" }),
        "x:Directory": object("x:Directory"),
        "x:AcmeProvider": object("x:AcmeProvider", {
            computedOnGet: ["description"],
            notReturnedByGet: ["eabHmacKey", "eabKeyId"],
        }),
        "x:NetworkListener": object("x:NetworkListener", { unique: ["name"], naturalKey: "name" }),
        "x:Tracer": object("x:Tracer"),
        "x:Action": object("x:Action"),
        "x:SystemSettings": object("x:SystemSettings", {
            kind: "singleton",
            foreignKeys: [{ via: "defaultDomainId", object: "x:Domain" }],
        }),
        "x:Authentication": object("x:Authentication", {
            kind: "singleton",
            foreignKeys: [{ via: "directoryId", object: "x:Directory" }],
        }),
        "x:BlobStore": object("x:BlobStore", { kind: "singleton" }),
    },
    schemas: {
        "x:Domain": single({
            name: req(),
            aliases: set(strings),
            isEnabled: bool(true),
            description: optStr(),
            catchAllAddress: optStr({ format: "emailAddress" }),
            allowRelaying: bool(),
            reportAddressUri: optStr({ default: "mailto:postmaster" }),
            subAddressing: obj("x:SubAddressing"),
            certificateManagement: obj("x:CertificateManagement"),
            dkimManagement: obj("x:DkimManagement"),
            dnsManagement: obj("x:DnsManagement"),
            directoryId: ref("x:Directory", { nullable: true, enterprise: true }),
            createdAt: serverSet(date()),
            dnsZoneFile: serverSet(str({ format: "text" })),
        }),
        "x:SubAddressing": variants({ Enabled: null, Disabled: null }),
        "x:CertificateManagement": variants({ Manual: null, Automatic: "x:CertificateManagementProperties" }),
        "x:CertificateManagementProperties": single({
            acmeProviderId: ref("x:AcmeProvider", { required: true, mustProvide: true }),
            subjectAlternativeNames: set(strings),
        }),
        "x:DkimManagement": variants({ Automatic: "x:DkimManagementProperties", Manual: null }),
        "x:DkimManagementProperties": single({
            algorithms: set(
                { kind: "enum", enumName: "DkimSignatureType" },
                { default: { Dkim1Ed25519Sha256: true, Dkim1RsaSha256: true } },
            ),
            rotateAfter: num("duration", { default: 7776000000 }),
            retireAfter: num("duration", { default: 604800000 }),
            deleteAfter: num("duration", { default: 2592000000 }),
            selectorTemplate: req({ default: "v{version}-{algorithm}-{date-%Y%m%d}" }),
        }),
        "x:DnsManagement": variants({ Manual: null, Automatic: "x:DnsManagementProperties" }),
        "x:DnsManagementProperties": single({ origin: optStr(), publishRecords: set(strings) }),
        "x:DkimSignature": variants({
            Dkim1Ed25519Sha256: "x:Dkim1Signature",
            Dkim1RsaSha256: "x:Dkim1Signature",
            Dkim2Ed25519Sha256: "x:Dkim2Signature",
            Dkim2RsaSha256: "x:Dkim2Signature",
        }),
        "x:Dkim1Signature": single({
            domainId: ref("x:Domain", { required: true, mustProvide: true }),
            selector: req(),
            privateKey: obj("x:SecretText"),
            stage: en("DkimRotationStage", { default: "active" }),
            report: bool(true),
            headers: set(strings, { default: { From: true, To: true, Date: true, Subject: true, "Message-ID": true } }),
            createdAt: serverSet(date()),
            publicKey: serverSet(str({ format: "text" })),
        }),
        "x:Dkim2Signature": single({
            domainId: ref("x:Domain", { required: true, mustProvide: true }),
            selector: req(),
            privateKey: obj("x:SecretText"),
            stage: en("DkimRotationStage", { default: "active" }),
            createdAt: serverSet(date()),
            publicKey: serverSet(str({ format: "text" })),
        }),
        "x:SecretText": variants({
            Text: "x:SecretTextValue",
            EnvironmentVariable: "x:SecretKeyEnvironmentVariable",
            File: "x:SecretKeyFile",
        }),
        "x:SecretTextValue": single({ secret: req({ format: "secretText" }) }),
        "x:SecretKey": variants({
            Value: "x:SecretKeyValue",
            EnvironmentVariable: "x:SecretKeyEnvironmentVariable",
            File: "x:SecretKeyFile",
        }),
        "x:SecretKeyOptional": variants({
            None: null,
            Value: "x:SecretKeyValue",
            EnvironmentVariable: "x:SecretKeyEnvironmentVariable",
            File: "x:SecretKeyFile",
        }),
        "x:SecretKeyValue": single({ secret: req({ format: "secret" }) }),
        "x:SecretKeyEnvironmentVariable": single({ variableName: req() }),
        "x:SecretKeyFile": single({ filePath: req() }),
        "x:Account": variants({ User: "x:UserAccount", Group: "x:GroupAccount" }),
        "x:UserAccount": single({
            name: req(),
            domainId: ref("x:Domain", { required: true, mustProvide: true }),
            description: optStr(),
            credentials: list("x:Credential"),
            memberGroupIds: set({ kind: "objectId", objectName: "x:Account/Group" }),
            roles: obj("x:UserRoles"),
            quotas: map({ kind: "enum", enumName: "StorageQuota" }, { kind: "number", format: "unsignedInteger" }),
            createdAt: serverSet(date()),
            emailAddress: serverSet(str({ format: "emailAddress" })),
            usedDiskQuota: serverSet(num("size")),
        }),
        "x:GroupAccount": single({
            name: req(),
            domainId: ref("x:Domain", { required: true, mustProvide: true }),
            description: optStr(),
            createdAt: serverSet(date()),
            emailAddress: serverSet(str({ format: "emailAddress" })),
            usedDiskQuota: serverSet(num("size")),
        }),
        "x:UserRoles": variants({ User: null, Admin: null, Custom: "x:CustomRoles" }),
        "x:CustomRoles": single({ roleIds: set({ kind: "objectId", objectName: "x:Role" }) }),
        "x:Credential": variants({
            Password: "x:PasswordCredential",
            AppPassword: "x:SecondaryCredential",
            ApiKey: "x:SecondaryCredential",
        }),
        "x:PasswordCredential": single({
            secret: req({ format: "secret" }),
            otpAuth: optStr({ format: "uri" }),
            expiresAt: date({ nullable: true }),
            allowedIps: set({ kind: "string", format: "ipNetwork" }),
            credentialId: serverSet(str()),
        }),
        "x:SecondaryCredential": secondaryCredential,
        "x:ApiKey": secondaryCredential,
        "x:AppPassword": secondaryCredential,
        "x:CredentialPermissions": variants({
            Inherit: null,
            Disable: "x:CredentialPermissionsList",
            Replace: "x:CredentialPermissionsList",
        }),
        "x:CredentialPermissionsList": single({ permissions: set({ kind: "enum", enumName: "Permission" }) }),
        "x:Role": single({
            description: req(),
            enabledPermissions: set({ kind: "enum", enumName: "Permission" }),
            roleIds: set({ kind: "objectId", objectName: "x:Role" }),
        }),
        "x:OAuthClient": single({
            clientId: req(),
            redirectUris: set({ kind: "string", format: "uri" }),
            secret: optStr({ format: "secret" }),
            description: optStr(),
            createdAt: serverSet(date()),
        }),
        "x:Directory": variants({ Ldap: "x:LdapDirectory", Oidc: "x:OidcDirectory" }),
        "x:LdapDirectory": single({
            description: req(),
            url: str({ format: "uri", default: "ldap://localhost:389" }),
            baseDn: req({ default: "dc=example,dc=org" }),
            bindSecret: obj("x:SecretKeyOptional"),
        }),
        "x:OidcDirectory": single({
            description: req(),
            issuerUrl: req({ format: "uri" }),
            claimUsername: req({ default: "preferred_username" }),
            claimName: optStr({ default: "name" }),
            requireAudience: optStr({ default: "stalwart" }),
            requireScopes: set(strings, { default: { openid: true, email: true } }),
            usernameDomain: optStr(),
        }),
        "x:AcmeProvider": single({
            directory: req({
                format: "uri",
                update: "immutable",
                default: "https://acme-v02.api.letsencrypt.org/directory",
            }),
            contact: set({ kind: "string", format: "emailAddress" }, { minItems: 1 }),
            challengeType: en("AcmeChallengeType", { default: "TlsAlpn01" }),
            maxRetries: num("integer", { default: 10 }),
            reuseKey: bool(),
            eabKeyId: optStr({ update: "immutable" }),
            eabHmacKey: optStr({ format: "secret", update: "immutable" }),
            accountKey: serverSet(req({ format: "secret" })),
            accountUri: serverSet(req({ format: "uri" })),
            description: serverSet(str()),
        }),
        "x:NetworkListener": single({
            name: req({ update: "immutable" }),
            bind: set({ kind: "string", format: "socketAddress" }, { minItems: 1 }),
            protocol: en("NetworkListenerProtocol", { default: "smtp" }),
            useTls: bool(true),
            tlsImplicit: bool(),
            tlsTimeout: num("duration", { nullable: true, default: 60000 }),
            overrideProxyTrustedNetworks: set({ kind: "string", format: "ipNetwork" }),
            maxConnections: num("unsignedInteger", { nullable: true, default: 8192, min: 1 }),
        }),
        "x:Tracer": variants({ Log: "x:TracerLog", Stdout: "x:TracerStdout" }),
        "x:TracerLog": single({
            path: req(),
            prefix: str({ default: "stalwart" }),
            enable: bool(true),
            level: en("TracingLevel", { default: "info" }),
        }),
        "x:TracerStdout": single({
            enable: bool(true),
            level: en("TracingLevel", { default: "info" }),
            ansi: bool(),
            buffered: bool(true),
        }),
        "x:Action": variants({
            ReloadSettings: null,
            ReloadTlsCertificates: null,
            ReloadLookupStores: null,
            ReloadBlockedIps: null,
            UpdateApps: null,
            InvalidateCaches: null,
        }),
        "x:SystemSettings": single({
            defaultHostname: req(),
            defaultDomainId: ref("x:Domain", { required: true, mustProvide: true }),
            mailExchangers: list("x:MailExchanger", { default: { "0": { priority: 10 } } }),
            services: map({ kind: "enum", enumName: "ServiceProtocol" }, { kind: "object", objectName: "x:Service" }),
            proxyTrustedNetworks: set({ kind: "string", format: "ipNetwork" }),
            maxConnections: num("unsignedInteger", { default: 8192, min: 1 }),
        }),
        "x:MailExchanger": single({ priority: num("unsignedInteger"), hostname: optStr() }),
        "x:Service": single({ cleartext: bool(), hostname: optStr() }),
        "x:Authentication": single({
            directoryId: ref("x:Directory", { nullable: true }),
            defaultUserRoleIds: set({ kind: "objectId", objectName: "x:Role" }),
            defaultAdminRoleIds: set({ kind: "objectId", objectName: "x:Role" }),
            passwordHashAlgorithm: en("PasswordHashAlgorithm", { default: "argon2id" }),
            passwordMinLength: num("unsignedInteger", { default: 8 }),
            maxApiKeys: num("unsignedInteger", { default: 5 }),
        }),
        "x:BlobStore": variants({ Default: null, S3: "x:S3Store", FileSystem: "x:FileSystemStore" }),
        "x:S3Store": single({
            bucket: req(),
            region: obj("x:S3StoreRegion"),
            secretKey: obj("x:SecretKeyOptional"),
            timeout: num("duration", { default: 30000 }),
            maxRetries: num("unsignedInteger", { default: 3 }),
        }),
        "x:S3StoreRegion": variants({ UsEast1: null, EuCentral1: null, Custom: "x:S3StoreCustomRegion" }),
        "x:S3StoreCustomRegion": single({ customEndpoint: req({ format: "uri" }), customRegion: req() }),
        "x:FileSystemStore": single({ path: req(), depth: num("unsignedInteger", { default: 2 }) }),
    },
    enums: {
        DkimSignatureType: ["Dkim1Ed25519Sha256", "Dkim1RsaSha256", "Dkim2Ed25519Sha256", "Dkim2RsaSha256"],
        DkimRotationStage: ["active", "retiring", "retired"],
        StorageQuota: ["maxDiskQuota", "maxApiKeys"],
        Permission: ["authenticate", "sysDomainGet", "sysDomainCreate", "impersonate"],
        AcmeChallengeType: ["TlsAlpn01", "DnsPersist01", "Dns01", "Http01"],
        NetworkListenerProtocol: ["smtp", "lmtp", "http", "imap", "pop3", "manageSieve"],
        TracingLevel: ["error", "warn", "info", "debug", "trace"],
        ServiceProtocol: ["jmap", "imap", "pop3", "smtp", "caldav", "carddav", "webdav", "managesieve"],
        PasswordHashAlgorithm: ["argon2id", "bcrypt", "scrypt", "pbkdf2"],
    },
};
