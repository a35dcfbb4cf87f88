import type { Config } from "../config";
import type { FileSigner } from "../lib/file-signing";

/** Signed file URLs point at FILES_URL, or at the request's own origin when it is unset. */
export function fileSigner(config: Config, requestUrl: string): FileSigner {
  return { secretKey: config.secretKey, baseUrl: config.filesUrl || new URL(requestUrl).origin, accessTimeout: config.filesAccessTimeout };
}
