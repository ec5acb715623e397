// The x:* provider's life cycle (test/support/lifecycle.ts) against the Stalwart simulator: the same
// suite the acceptance test runs against a real Stalwart, here on every `npm test`. The simulator can
// show what it stores unmasked, so this run also checks that secrets reach the server intact.
import { afterAll, beforeAll, describe } from "vitest";
import { lifecycleSuite } from "../support/lifecycle";
import { type StalwartSimulator, startStalwartSimulator } from "../support/stalwart";

let sim: StalwartSimulator;

beforeAll(async () => {
    sim = await startStalwartSimulator();
});

afterAll(async () => {
    await sim?.close();
});

describe("x:* provider life cycle against the simulator", () => {
    lifecycleSuite(() => {
        const [user, password] = sim.adminCredentials.split(":") as [string, string];
        return { url: sim.url, credentials: { user, password }, stored: (type, id) => sim.stored(type, id) };
    });
});
