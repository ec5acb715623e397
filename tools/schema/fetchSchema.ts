/** Reads the registry schema a live Stalwart server serves (GET /api/schema), for --url. */

/** STALWART_TOKEN as Bearer, or STALWART_USER/STALWART_PASSWORD as Basic. */
function authHeader(env: NodeJS.ProcessEnv): string {
    const token = env.STALWART_TOKEN;
    if (token) return `Bearer ${token}`;
    const user = env.STALWART_USER;
    const password = env.STALWART_PASSWORD;
    if (user && password) return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    throw new Error(
        "--url needs credentials: set STALWART_TOKEN (Bearer) or STALWART_USER and STALWART_PASSWORD (Basic).",
    );
}

/** GET /api/schema answers 302 to /api/schema/<hash>; fetch decodes the gzip body. */
export async function fetchSchema(base: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
    const headers = { Authorization: authHeader(env), Accept: "application/json" };
    let url = new URL("/api/schema", base);
    for (let hop = 0; hop < 3; hop++) {
        const response = await fetch(url, { headers, redirect: "manual" }).catch((error: Error) => {
            const cause = error.cause instanceof Error ? error.cause.message : error.message;
            throw new Error(`Cannot reach ${url} (${cause}); is the Stalwart server at ${base} up?`);
        });
        const location = response.headers.get("location");
        if (response.status >= 300 && response.status < 400 && location) {
            url = new URL(location, url);
            continue;
        }
        if (!response.ok)
            throw new Error(
                `GET ${url} answered ${response.status} ${response.statusText}; check the URL and the credentials.`,
            );
        return await response.text();
    }
    throw new Error(`GET ${new URL("/api/schema", base)} kept redirecting; is ${base} a Stalwart v0.16 server?`);
}
