import type { Context } from "hono";
import { getDb } from "../db/client";
import type { Deps } from "../services/generation";
import { fileSigner } from "./file-signer";

/** The handles services take (no Hono Context below the routes). */
export function depsOf(c: Context<any>): Deps {
  const config = c.get("config");
  return { env: c.env, config, db: getDb(c.env.DB), signer: fileSigner(config, c.req.url) };
}
