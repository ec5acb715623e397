/**
 * Env variables of the Stalwart container that other parts refer to by name: config.json's
 * authSecret and the x:BlobStore keys are `EnvironmentVariable` secrets, so the values live in the
 * container's env and never in Stalwart's registry or in a rendered file.
 */
export const STALWART_ENV = {
    dbPassword: "STALWART_DB_PASSWORD",
    s3AccessKey: "STALWART_S3_ACCESS_KEY",
    s3SecretKey: "STALWART_S3_SECRET_KEY",
    publicUrl: "STALWART_PUBLIC_URL",
    recoveryAdmin: "STALWART_RECOVERY_ADMIN",
} as const;
