import { afterEach, describe, expect, it, vi } from "vitest";
import { env } from "cloudflare:workers";
import { buildApp } from "../../src/app";
import { appSession, call, expectError, webHeaders } from "../helpers/api";
import { demoApp } from "../helpers/fixtures";

afterEach(() => vi.restoreAllMocks());

describe("HTTP conventions", () => {
  it("answers an unknown route with 404 not_found in Dify's envelope and an X-Trace-Id", async () => {
    const res = await call("/api/nope");
    const body = await expectError(res, 404, "not_found");
    expect(body.message).toMatch(/^The requested URL was not found on the server/);
    expect(res.headers.get("X-Trace-Id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get("Content-Type")).toMatch(/^application\/json/);
  });

  it("gives every response a distinct X-Trace-Id and Dify's version headers", async () => {
    const a = await call("/health");
    const b = await call("/health");
    expect(a.status).toBe(200);
    expect(await a.json()).toEqual({ status: "ok" });
    expect(a.headers.get("X-Trace-Id")).not.toBe(b.headers.get("X-Trace-Id"));
    expect(a.headers.get("X-Version")).toBe("1.14.2");
    expect(a.headers.get("X-Env")).toBe("PRODUCTION");
  });

  it("logs one JSON line per request with no token, query string or header in it", async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    vi.spyOn(console, "log").mockImplementation(capture);
    vi.spyOn(console, "warn").mockImplementation(capture);
    vi.spyOn(console, "error").mockImplementation(capture);
    // A worker that logs everything (the test pool runs at LOG_LEVEL=warn).
    const verbose = buildApp();
    const verboseEnv = { ...env, LOG_LEVEL: "debug" };
    const { token, app } = await appSession(demoApp("chat"), "secret-session-id");
    const res = await verbose.fetch(
      new Request("http://api.test/api/site?web_app_access_token=leaky", { headers: webHeaders(app.site_code, token) }),
      verboseEnv,
    );
    expect(res.status).toBe(200);
    const passportRes = await verbose.fetch(new Request("http://api.test/api/passport?user_id=secret-session-id", { headers: { "X-App-Code": app.site_code } }), verboseEnv);
    const issued = ((await passportRes.json()) as { access_token: string }).access_token;
    expect(lines.filter((l) => l.includes('"msg":"request"'))).toHaveLength(2);
    expect(JSON.parse(lines[0])).toMatchObject({ level: "info", msg: "request", method: "GET", path: "/api/site", status: 200 });
    const joined = lines.join("\n");
    expect(joined).not.toContain(issued);
    expect(joined).not.toContain(token);
    expect(joined).not.toContain("secret-session-id");
    expect(joined).not.toContain("leaky");
    expect(joined).not.toContain("test-admin-key");
  });
});

describe("CORS", () => {
  const preflight = (origin: string, path = "/api/chat-messages") =>
    call(path, {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,x-app-code,x-app-passport,x-csrf-token" },
    });

  it("answers an allowed preflight by echoing the origin with credentials", async () => {
    const res = await preflight("https://chat.example.com");
    expect(res.status).toBe(204);
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://chat.example.com");
    expect(res.headers.get("Access-Control-Allow-Credentials")).toBe("true");
    expect(res.headers.get("Access-Control-Allow-Methods")).toBe("GET, PUT, POST, DELETE, OPTIONS, PATCH");
    expect(res.headers.get("Access-Control-Allow-Headers")).toBe("Content-Type, X-App-Code, X-App-Passport, Authorization, X-CSRF-Token");
    expect(res.headers.get("Vary")).toContain("Origin");
  });

  it("exposes Dify's headers on responses, errors included", async () => {
    const res = await call("/api/site", { headers: { Origin: "https://chat.example.com" } });
    await expectError(res, 401, "unauthorized");
    expect(res.headers.get("Access-Control-Allow-Origin")).toBe("https://chat.example.com");
    expect(res.headers.get("Access-Control-Expose-Headers")).toBe("X-Version, X-Env, X-Trace-Id");
  });
});
