/**
 * The `backup` key's shape: types and what is required. What the values must be (a schedule that
 * parses, one target, names that do not clash) is backup.ts's rules. schema.ts passes in the
 * helpers every block is built with, so this file needs nothing of it.
 */
import { z } from "zod";

/** The helpers of schema.ts this block uses. */
export interface ShapeHelpers {
    nonEmpty: () => z.ZodString;
    /** a number that also accepts its text form (pulumi config set hands over strings) */
    num: (schema: z.ZodNumber) => z.ZodType<number, unknown>;
}

type ObjectOf = <T extends Record<string, z.ZodType>>(shape: T) => z.ZodObject<T>;

const RETENTION = "must be a whole number of backups to keep, 1 or more, e.g. 7";

/** A job on the mailbox host: `pg_dump` and `stalwart --export`, the newest `retention` kept (components/plan/backupSpec.ts). */
export const backupSchema = (obj: ObjectOf, { nonEmpty, num }: ShapeHelpers) =>
    obj({
        /** a cron expression in UTC ("0 3 * * *", @daily) or an interval ("6h"); parsed by the rules (schedule.ts) */
        schedule: nonEmpty(),
        retention: num(z.number(RETENTION).int(RETENTION).min(1, RETENTION)),
        /** exactly one of a docker volume on the mailbox host or a Garage bucket (the rules check which) */
        target: obj({
            volume: nonEmpty().optional(),
            /** created (or adopted) on garage.s3Endpoint, with a key of its own */
            bucket: nonEmpty().optional(),
            /** the bucket's access key; default <garage.keyName>-backup */
            keyName: nonEmpty().optional(),
        }).optional(),
        containerName: nonEmpty().default("stalwart-backup"),
        /** a prebuilt image with sh, stalwart, pg_dump, psql, pg_restore and rclone; default: built from backup/ */
        image: nonEmpty().optional(),
    });
