// The handles every service takes (no Hono Context below the routes); built once per request by
// http/deps.ts.
import type { Config } from "../config";
import type { Db } from "../db/client";
import type { Env } from "../env";
import type { FileSigner } from "../lib/file-signing";

export interface Deps {
  env: Env;
  config: Config;
  db: Db;
  /** Signs file URLs for this request's origin (or FILES_URL). */
  signer: FileSigner;
  /** The request's own origin (links to the end-user pages). */
  webOrigin: string;
}
