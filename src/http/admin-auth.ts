// Admin API authentication: Authorization: Bearer <ADMIN_API_KEY>, compared in constant time.
import type { MiddlewareHandler } from "hono";
import { timingSafeEqualStrings } from "../lib/crypto";
import { bearerToken } from "./auth";
import type { AppEnv } from "./context";
import { Unauthorized } from "../lib/errors";

export const adminAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = c.get("config").adminApiKey;
  const given = bearerToken(c.req.header("Authorization"));
  // With no ADMIN_API_KEY configured the admin API is closed rather than open.
  if (!expected || !given || !timingSafeEqualStrings(given, expected)) {
    throw new Unauthorized("Invalid or missing admin API key.");
  }
  await next();
};
