// The worker's page routes: page shells with their CSP, and the passport cookie that only our own
// pages can obtain and that another origin cannot ride (even where CORS echoes it with credentials).
import { describe, expect, it } from "vitest";
import { BASE, call, expectError, importDsl } from "../helpers/api";
import { demoApp } from "../helpers/fixtures";

const cookieOf = (res: Response) => res.headers.get("Set-Cookie") ?? "";

describe("page shells", () => {
  it("serves /chat/<code> with a strict CSP and no inline script", async () => {
    const res = await call("/chat/anything");
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/html; charset=utf-8");
    const csp = res.headers.get("Content-Security-Policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'self'");
    const html = await res.text();
    for (const [, attrs, body] of html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(attrs).toMatch(/ src="\/assets\//);
      expect(body).toBe("");
    }
  });

  it("serves the workflow page and the standalone form page under Dify's paths, not frameable", async () => {
    for (const path of ["/workflow/anything", "/form/AbCdEfGhIjKlMnOpQrStUv"]) {
      const res = await call(path);
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
      expect(res.headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
      expect(await res.text()).toMatch(/<script type="module" src="\/assets\/(workflow|form)-[\w-]+\.js"><\/script>/);
    }
  });

  it("lets other sites frame only /chatbot/<code>", async () => {
    expect((await call("/chatbot/x")).headers.get("Content-Security-Policy")).toContain("frame-ancestors *");
    expect((await call("/completion/x")).headers.get("X-Frame-Options")).toBe("SAMEORIGIN");
  });

  it("serves the sign-in page under Dify's paths", async () => {
    for (const path of ["/webapp-signin", "/webapp-signin/check-code", "/webapp-reset-password"]) expect((await call(path)).status).toBe(200);
  });
});

describe("POST /webapp-passport", () => {
  it("puts the passport into an HttpOnly SameSite=Strict cookie scoped to /api, never into the body", async () => {
    const app = await importDsl(demoApp("chat"));
    const res = await call(`/webapp-passport?code=${app.site_code}`, { method: "POST", headers: { Origin: BASE, "Sec-Fetch-Site": "same-origin" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ result: "success" });
    const cookie = cookieOf(res);
    expect(cookie).toMatch(new RegExp(`^passport-${app.site_code}=ey`));
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/api");
    expect(cookie).not.toContain("Secure"); // http here; https adds it
    const token = /=([^;]+)/.exec(cookie)![1];

    const withCookie = (headers: Record<string, string> = {}) =>
      call("/api/parameters", { headers: { "X-App-Code": app.site_code, Cookie: `passport-${app.site_code}=${token}`, ...headers } });
    expect((await withCookie()).status).toBe(200);
    expect((await withCookie({ Origin: BASE })).status).toBe(200);
    // Another origin carrying the cookie is not authenticated, although CORS answers it with credentials.
    const foreign = await withCookie({ Origin: "http://evil.test" });
    expect(foreign.headers.get("Access-Control-Allow-Origin")).toBe("http://evil.test");
    await expectError(foreign, 401, "unauthorized");
  });

  it("is refused to other origins and to calls without an Origin", async () => {
    const app = await importDsl(demoApp("chat"));
    await expectError(await call(`/webapp-passport?code=${app.site_code}`, { method: "POST", headers: { Origin: "http://evil.test" } }), 403, "forbidden");
    await expectError(await call(`/webapp-passport?code=${app.site_code}`, { method: "POST" }), 403, "forbidden");
    await expectError(await call(`/webapp-passport?code=${app.site_code}`, { method: "POST", headers: { Origin: BASE, "Sec-Fetch-Site": "same-site" } }), 403, "forbidden");
  });

  it("answers like GET /api/passport for an unknown share code", async () => {
    await expectError(await call("/webapp-passport?code=nope", { method: "POST", headers: { Origin: BASE } }), 404, "not_found");
    await expectError(await call("/webapp-passport?code=a%3Bb", { method: "POST", headers: { Origin: BASE } }), 400, "invalid_param");
  });

  it("DELETE clears the cookie", async () => {
    const res = await call("/webapp-passport?code=abc", { method: "DELETE", headers: { Origin: BASE } });
    expect(res.status).toBe(200);
    expect(cookieOf(res)).toMatch(/^passport-abc=; Max-Age=0; Path=\/api; HttpOnly; SameSite=Strict/);
  });
});
