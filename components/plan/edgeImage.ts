/**
 * How the edge image is built: the build context and Dockerfile under caddy/, and the pinned
 * versions passed as build args. The Dockerfile's ARG defaults carry the same values (a unit
 * test keeps them equal), so a hand-run `docker build caddy/` gives the same image.
 */
export const CADDY_BUILD = {
    context: "caddy",
    dockerfile: "caddy/Dockerfile",
    args: {
        ALPINE_VERSION: "3.23",
        CADDY_VERSION: "2.11.4",
        CADDY_L4_VERSION: "v0.1.2",
    },
} as const;
