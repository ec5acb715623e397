// Acceptance: the x:* provider's life cycle (test/support/lifecycle.ts) through the Pulumi SDK's
// dynamic-provider host against a REAL Stalwart v0.16. It runs only when STALWART_URL and credentials
// (STALWART_TOKEN, or STALWART_USER + STALWART_PASSWORD) are set; otherwise it prints why and skips.
//
// A throwaway server in recovery mode (full x:* API, no listeners bound, nothing inserted), see
// docs/acceptance.md:
//
//   d=$(mktemp -d) && echo '{"@type":"RocksDb","path":"/var/lib/stalwart/"}' > "$d/config.json" && chmod 644 "$d/config.json"
//   docker run --rm -d --name stalwart-acceptance -p 8080:8080 -e STALWART_RECOVERY_MODE=1 \
//     -e STALWART_RECOVERY_ADMIN=admin:<pw> -v "$d/config.json":/etc/stalwart/config.json:ro stalwartlabs/stalwart:v0.16.18
//   STALWART_URL=http://127.0.0.1:8080 STALWART_USER=admin STALWART_PASSWORD=<pw> \
//     npx vitest run test/acceptance/stalwartObject.acceptance.test.ts
//   docker rm -f stalwart-acceptance
//
// Every object it creates has a random suffix (domains under .test) and is destroyed afterwards; the
// x:Authentication.maxApiKeys value it changes is put back.
import { describe } from "vitest";
import { lifecycleSuite, targetFromEnv } from "../support/lifecycle";

const found = targetFromEnv(process.env);
const skipped = "skip" in found ? found.skip : undefined;
if (skipped !== undefined) {
    console.log(
        `stalwartObject acceptance: skipped, ${skipped} (see docs/acceptance.md for the docker run line and the variables to export)`,
    );
}

describe.skipIf(skipped !== undefined)("x:* provider life cycle against a real Stalwart", () => {
    lifecycleSuite(() => {
        if ("skip" in found) throw new Error(found.skip);
        return found.target;
    });
});
