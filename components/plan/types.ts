/**
 * The plan's shape: everything that lands on each host, as plain data (buildPlan in index.ts makes
 * it; MailDeployment deploys it; `npm run plan` prints it).
 */
import type { ConfigIssue } from "../config";
import type { Secret } from "../config/secret";
import type { BackupTargetInput } from "./backupScript";
import type { OperatorPlan } from "./operatorPlan";
import type { ContainerSpec, VolumeSpec } from "./spec";
import type { StalwartObjectSpec } from "./stalwartSettings";

/** How the sidecar logs in to the tailnet: a minted single-use tailnet key, or the OAuth client secret. */
export type TailnetAuthPlan = (
    | {
          /** a tailscale.TailnetKey is minted for the sidecar */
          kind: "tailnetKey";
          /** the node is removed once offline */
          ephemeral: boolean;
          /** no approval needed */
          preauthorized: true;
          /** one login only */
          reusable: false;
          /** the key's lifetime */
          expirySeconds: number;
          /** the tags the node gets */
          tags: string[];
          /** the key's description in the admin console */
          description: string;
      }
    | {
          /** the sidecar logs in with the OAuth client secret itself */
          kind: "oauth";
          /** the node is removed once offline */
          ephemeral: boolean;
          /** the tags the node advertises */
          tags: string[];
      }
) & {
    /** tailscale.oauthClientId when set, shown in the plan only (the tailscale provider reads its own config) */
    oauthClientId?: string;
};

/** How a container's image is had: pulled by reference, or built from a context on the host's own daemon. */
export type ImagePlan =
    | {
          /** pulled */
          kind: "prebuilt";
          /** the image reference */
          name: string;
      }
    | {
          /** built by the host's daemon, never pushed */
          kind: "build";
          /** the local image name */
          name: string;
          /** the build context, relative to the package root */
          context: string;
          /** the Dockerfile, relative to the package root */
          dockerfile: string;
          /** the build arguments (pinned versions) */
          args: Record<string, string>;
      };

/** The edge's image (Caddy + layer4). */
export type EdgeImagePlan = ImagePlan;

/** Stalwart's Redis: the URL (a Secret when it holds a password) and its parts. */
export interface RedisPlan {
    /** prints with any password masked */
    url: string | Secret;
    /** host, port and db are undefined only when the URL is encrypted in the stack file (an offline plan) */
    host?: string;
    /** the server's port */
    port?: number;
    /** the logical DB index */
    db?: number;
}

/** The backup job on the mailbox host (backup key); its volume, if any, is among plan.mailbox.volumes. */
export interface BackupPlan {
    /** when it runs */
    schedule: {
        /** as configured */
        text: string;
        /** in words */
        description: string;
    };
    /** how many backups are kept */
    retention: number;
    /** "volume:<name>" or "bucket:<name>", as the job records it */
    targetDescription: string;
    /** where the backups go */
    target: BackupTargetInput;
    /** the job's image */
    image: ImagePlan;
    /** the job's container */
    container: ContainerSpec;
}

/** Everything that lands on each host, as plain data: what `buildPlan` returns and MailDeployment deploys. */
export interface Plan {
    /** the stack the plan is for */
    stack: string;
    /** what deploys but deserves a look (Settings.warnings) */
    warnings: ConfigIssue[];
    /** false only when the stack sets allowDataLoss: true */
    retainData: boolean;
    /** the tailnet-only host */
    mailbox: {
        /** its docker host */
        dockerHost: string;
        /** `<tailscaleHostname>.<tailnet>` */
        fqdn: string;
        /** the Tailscale sidecar container */
        sidecar: ContainerSpec;
        /** the Stalwart container, in the sidecar's netns */
        stalwart: ContainerSpec;
        /** the host's named volumes */
        volumes: VolumeSpec[];
        /** Stalwart's rendered /etc/stalwart/config.json (the datastore only) */
        configJson: string;
    };
    /** the public host */
    edge: {
        /** its docker host */
        dockerHost: string;
        /** the Caddy + caddy-l4 container */
        caddy: ContainerSpec;
        /** how its image is had */
        image: EdgeImagePlan;
        /** the host's named volumes */
        volumes: VolumeSpec[];
        /** the rendered caddy.json */
        caddyJson: string;
    };
    /** the tailnet side */
    tailnet: {
        /** how the sidecar logs in */
        auth: TailnetAuthPlan;
        /** the policy fragment to merge, HuJSON */
        aclHujson: string;
    };
    /** the shared backends' objects */
    backends: {
        /** the role and database on the shared Postgres */
        postgres: {
            /** the server's name */
            host: string;
            /** the server's port */
            port: number;
            /** the database to create */
            database: string;
            /** the login role to create */
            role: string;
            /** the user the provider connects as */
            adminUser: string;
            /** the connection's sslmode */
            sslmode: string;
        };
        /** the logical DB on the shared Redis */
        redis: RedisPlan;
        /** the bucket and key on the shared Garage */
        garage: {
            /** the S3 API's URL */
            s3Endpoint: string;
            /** the admin API's URL */
            adminEndpoint: string;
            /** the bucket's global alias */
            bucket: string;
            /** the access key's name */
            keyName: string;
            /** the S3 region */
            region: string;
        };
    };
    /** undefined when the stack has no backup key */
    backup?: BackupPlan;
    /** Stalwart itself */
    stalwart: {
        /** the pinned image */
        image: string;
        /** where people and OAuth clients reach it */
        publicUrl: string;
        /** its management API over the tailnet */
        managementUrl: string;
        /** the ACME directory URL its certificates come from */
        acmeDirectory: string;
        /** x:* objects the deployment manages; empty when stalwart.manageSettings is false */
        objects: StalwartObjectSpec[];
        /** the OIDC binding, the automation key and the DNS records to publish; undefined when stalwart.manageSettings is false */
        operator?: OperatorPlan;
    };
}
