// CORS as Dify's web blueprint (spec dify-web-api.md §1): credentials are allowed, so an allowed
// request origin is echoed back (never `*`). Disallowed origins get no CORS headers at all.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./context";

export const CORS_ALLOW_HEADERS = "Content-Type, X-App-Code, X-App-Passport, Authorization, X-CSRF-Token";
export const CORS_ALLOW_METHODS = "GET, PUT, POST, DELETE, OPTIONS, PATCH";
export const CORS_EXPOSE_HEADERS = "X-Version, X-Env, X-Trace-Id";
// Dify's client pre-flights every call; let browsers reuse an answer for ten minutes.
const MAX_AGE = "600";

export const webCors: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = c.req.header("Origin");
  const allowed = c.get("config").corsAllowOrigins;
  const allow = !!origin && (allowed === "*" || allowed.includes(origin));
  const preflight = c.req.method === "OPTIONS" && !!c.req.header("Access-Control-Request-Method");
  if (preflight) {
    const headers = new Headers({ Vary: "Origin" });
    if (allow) {
      headers.set("Access-Control-Allow-Origin", origin);
      headers.set("Access-Control-Allow-Credentials", "true");
      headers.set("Access-Control-Allow-Methods", CORS_ALLOW_METHODS);
      headers.set("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
      headers.set("Access-Control-Max-Age", MAX_AGE);
    }
    return new Response(null, { status: 204, headers });
  }
  await next();
  c.res.headers.append("Vary", "Origin");
  if (allow) {
    c.res.headers.set("Access-Control-Allow-Origin", origin);
    c.res.headers.set("Access-Control-Allow-Credentials", "true");
    c.res.headers.set("Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
  }
};
