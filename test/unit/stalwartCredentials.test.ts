// Where the x:* providers find Stalwart: the stack's stalwart:* config when it names a URL, else the
// official CLI's environment variables; credentials from the URL's source first.
import { describe, expect, it } from "vitest";
import { configFrom, resolveConnection } from "../../components/stalwart/credentials";

const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString("base64")}`;

describe("resolveConnection", () => {
    it("takes STALWART_URL with a Bearer STALWART_TOKEN, or Basic STALWART_USER/STALWART_PASSWORD, and drops a trailing slash", () => {
        expect(resolveConnection({ STALWART_URL: "http://mx.test:8080/", STALWART_TOKEN: "API_abc" }, {})).toEqual({
            url: "http://mx.test:8080",
            authorization: "Bearer API_abc",
            source: "env STALWART_TOKEN",
        });
        expect(
            resolveConnection(
                { STALWART_URL: "http://mx.test:8080", STALWART_USER: "admin", STALWART_PASSWORD: "pw" },
                {},
            ).authorization,
        ).toBe(basic("admin", "pw"));
    });

    it("prefers the token over user and password from the same source", () => {
        expect(
            resolveConnection({}, { url: "http://c.test:8080", token: "API_t", user: "u", password: "p" })
                .authorization,
        ).toBe("Bearer API_t");
    });

    it("lets the stack's config win over a stray environment, URL and credentials together", () => {
        const c = resolveConnection(
            { STALWART_URL: "http://env.test:8080", STALWART_TOKEN: "API_env" },
            { url: "http://config.test:8080", user: "admin", password: "pw" },
        );
        expect(c).toEqual({
            url: "http://config.test:8080",
            authorization: basic("admin", "pw"),
            source: "config stalwart:user/stalwart:password",
        });
    });

    it("never sends the other source's credentials to a server that source does not name", () => {
        expect(() =>
            resolveConnection(
                { STALWART_URL: "http://env.test:8080", STALWART_TOKEN: "API_env" },
                { url: "http://config.test:8080" },
            ),
        ).toThrow(/credentials missing/);
        expect(
            resolveConnection(
                { STALWART_URL: "http://same.test:8080/", STALWART_TOKEN: "API_env" },
                { url: "http://same.test:8080" },
            ).source,
        ).toBe("env STALWART_TOKEN");
    });

    it("fills missing credentials from the other source", () => {
        expect(resolveConnection({ STALWART_TOKEN: "API_env" }, { url: "http://config.test:8080" }).source).toBe(
            "env STALWART_TOKEN",
        );
        expect(resolveConnection({ STALWART_URL: "http://env.test:8080" }, { token: "API_c" }).source).toBe(
            "config stalwart:token",
        );
    });

    it("names both places when the URL or the credentials are missing, never a value", () => {
        expect(() => resolveConnection({}, { token: "API_secret" })).toThrow(/stalwart:url or STALWART_URL/);
        let message = "";
        try {
            resolveConnection(
                { STALWART_URL: "http://mx.test:8080", STALWART_USER: "admin" },
                { password: "only-half" },
            );
        } catch (e) {
            message = String(e);
        }
        expect(message).toMatch(/stalwart:token .* STALWART_TOKEN/);
        expect(message).not.toContain("only-half");
    });
});

describe("configFrom", () => {
    it("reads the stalwart:* keys the host hands to configure, strings only", () => {
        const config: Record<string, unknown> = {
            "stalwart:url": "http://x.test:8080",
            "stalwart:token": "API_x",
            "stalwart:user": 7,
        };
        expect(configFrom((k) => config[k])).toEqual({
            url: "http://x.test:8080",
            token: "API_x",
            user: undefined,
            password: undefined,
        });
    });

    it("reads stalwart:requestTimeoutMs (text or number) before env STALWART_REQUEST_TIMEOUT_MS, and refuses a value that is not whole milliseconds", () => {
        expect(configFrom((k) => ({ "stalwart:requestTimeoutMs": 1500 })[k]).requestTimeoutMs).toBe("1500");
        const env = {
            STALWART_URL: "http://t.test:8080",
            STALWART_TOKEN: "API_t",
            STALWART_REQUEST_TIMEOUT_MS: "9000",
        };
        expect(resolveConnection(env, { requestTimeoutMs: "1500" }).timeoutMs).toBe(1500);
        expect(resolveConnection(env, {}).timeoutMs).toBe(9000);
        expect(resolveConnection({ ...env, STALWART_REQUEST_TIMEOUT_MS: undefined }, {}).timeoutMs).toBeUndefined();
        expect(() => resolveConnection(env, { requestTimeoutMs: "30s" })).toThrow(
            /config stalwart:requestTimeoutMs is "30s": set a whole number of milliseconds/,
        );
    });
});
