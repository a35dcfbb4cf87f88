import type { Context } from "hono";
import { getDb } from "../db/client";
import type { Deps } from "../services/generation";

/** The handles services take (no Hono Context below the routes). */
export function depsOf(c: Context<any>): Deps {
  return { env: c.env, config: c.get("config"), db: getDb(c.env.DB) };
}
