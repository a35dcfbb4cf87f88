import type { Context } from "hono";
import { getDb } from "../db/client";
import type { Deps } from "../services/deps";
import type { Owner } from "../services/conversations/ownership";
import { fileSigner } from "./file-signer";

/** The handles services take (no Hono Context below the routes). */
export function depsOf(c: Context<any>): Deps {
  const config = c.get("config");
  return { env: c.env, config, db: getDb(c.env.DB), signer: fileSigner(config, c.req.url), webOrigin: new URL(c.req.url).origin };
}

/** The caller of an app endpoint, for ownership-scoped lookups (after passportAuth). */
export function ownerOf(c: Context<any>): Owner {
  return { appId: c.get("appContext").app.id, endUserId: c.get("endUser").id };
}
