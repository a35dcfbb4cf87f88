// The end-user pages served by the Worker itself (web/, built into Workers Static Assets): each page
// path answers its HTML shell with the page's Content-Security-Policy, and /webapp-passport puts an
// app passport into the HttpOnly `passport-<code>` cookie (or takes it out), which page script
// cannot do itself. The pages then call only the public /api/* endpoints, which read that cookie.
import { type Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../http/context";
import { Forbidden, InvalidParam, NotFound } from "../lib/errors";

export type PageShell = "chat" | "completion" | "workflow" | "form" | "signin" | "docs";

// Dify's share codes are 16 letters and digits; anything cookie-unsafe is refused before use.
const SHARE_CODE = /^[A-Za-z0-9_-]{1,64}$/;
// Chrome caps cookie lifetimes at 400 days. Anonymous passports never expire (as Dify's), and a new
// one is a new end user with no history, so the cookie lives as long as a browser allows.
const ANONYMOUS_COOKIE_SECONDS = 400 * 24 * 3600;
const SOURCE = /^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/;

function csp(shell: PageShell, frameAncestors: string): string {
  // The docs page runs Swagger UI, which sets inline styles; no page allows inline script or eval.
  const style = shell === "docs" ? "'self' 'unsafe-inline'" : "'self'";
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src ${style}`,
    // Markdown answers may show images from anywhere (as Dify's); signed file previews may live on FILES_URL.
    "img-src 'self' data: blob: https:",
    "media-src 'self' blob: data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join("; ");
}

/** Answers the built HTML shell of a page with its security headers. */
export async function servePage(c: Context<AppEnv>, shell: PageShell, embeddable = false): Promise<Response> {
  const assets = c.env.ASSETS;
  if (!assets) throw new NotFound();
  const res = await assets.fetch(new Request(new URL(`/_shell-${shell}.html`, c.req.url)));
  if (!res.ok) throw new NotFound();
  const allowed = c.get("config").embedAllowedOrigins;
  const ancestors = !embeddable ? "'self'" : allowed === "*" ? "*" : ["'self'", ...allowed.filter((o) => SOURCE.test(o))].join(" ");
  return new Response(res.body, {
    status: 200,
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      // The shell names hashed assets: revalidate so a deploy is picked up at once.
      "Cache-Control": "no-cache",
      "Content-Security-Policy": csp(shell, ancestors),
      "X-Content-Type-Options": "nosniff",
      // Share codes are in page paths: links out of an answer must not carry them.
      "Referrer-Policy": "same-origin",
      "Permissions-Policy": "microphone=(self), camera=(), geolocation=()",
      ...(embeddable ? {} : { "X-Frame-Options": "SAMEORIGIN" }),
    },
  });
}

/** A state-changing page call must come from one of our own pages, never from another site. */
function requireSameOrigin(c: Context): void {
  const origin = c.req.header("Origin");
  const site = c.req.header("Sec-Fetch-Site");
  if (origin !== new URL(c.req.url).origin || (site && site !== "same-origin")) throw new Forbidden();
}

function shareCodeOf(c: Context): string {
  const code = c.req.query("code")?.trim() ?? "";
  if (!SHARE_CODE.test(code)) throw new InvalidParam("code is required", "code");
  return code;
}

/** Seconds until the token's `exp`, or null when it has none (a decoded, not verified, claim: we just issued it). */
function secondsLeft(token: string): number | null {
  try {
    const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/"))) as { exp?: unknown };
    return typeof payload.exp === "number" ? Math.max(0, payload.exp - Math.floor(Date.now() / 1000)) : null;
  } catch {
    return null;
  }
}

const cookieOptions = (c: Context) => ({
  path: "/api",
  httpOnly: true,
  secure: new URL(c.req.url).protocol === "https:",
  sameSite: "Strict" as const,
});

/** The page routes; `appForPassport` is the whole app, so the passport comes from GET /api/passport itself. */
export function pageRoutes(appForPassport: () => Hono<any>): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get("/chat/:code", (c) => servePage(c, "chat"));
  routes.get("/chatbot/:code", (c) => servePage(c, "chat", true));
  routes.get("/completion/:code", (c) => servePage(c, "completion"));
  routes.get("/workflow/:code", (c) => servePage(c, "workflow"));
  // The link a human-input form's e-mail carries (the token, not a share code, is in the path).
  routes.get("/form/:token", (c) => servePage(c, "form"));
  for (const path of ["/webapp-signin", "/webapp-signin/*", "/webapp-reset-password", "/webapp-reset-password/*"]) {
    routes.get(path, (c) => servePage(c, "signin"));
  }

  // POST /webapp-passport?code=<share code>[&user_id=]: the same rules as GET /api/passport (a
  // non-public app exchanges the login token in Authorization), but the passport goes into the
  // cookie and never into page script or a URL.
  routes.post("/webapp-passport", async (c) => {
    requireSameOrigin(c);
    const code = shareCodeOf(c);
    const url = new URL("/api/passport", c.req.url);
    const userId = c.req.query("user_id")?.trim();
    if (userId) url.searchParams.set("user_id", userId);
    const headers = new Headers({ "X-App-Code": code });
    const authorization = c.req.header("Authorization");
    if (authorization) headers.set("Authorization", authorization);
    const cookie = c.req.header("Cookie");
    if (cookie) headers.set("Cookie", cookie);
    const res = await appForPassport().fetch(new Request(url, { headers }), c.env, c.executionCtx);
    if (res.status !== 200) return res;
    const { access_token: token } = (await res.json()) as { access_token: string };
    setCookie(c, `passport-${code}`, token, { ...cookieOptions(c), maxAge: secondsLeft(token) ?? ANONYMOUS_COOKIE_SECONDS });
    return c.json({ result: "success" });
  });

  // DELETE /webapp-passport?code=: sign-out from the app's pages.
  routes.delete("/webapp-passport", (c) => {
    requireSameOrigin(c);
    deleteCookie(c, `passport-${shareCodeOf(c)}`, cookieOptions(c));
    return c.json({ result: "success" });
  });
  return routes;
}
