// Refuses an oversized JSON (or any non-multipart) request body with Dify's 413 before it is read;
// multipart uploads stream and carry their own per-file limits (services/files/upload-receiver.ts).
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { PayloadTooLarge } from "../lib/errors";
import type { AppEnv } from "./context";

export const jsonBodyLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.header("Content-Type")?.toLowerCase().startsWith("multipart/")) return next();
  const limit = bodyLimit({
    maxSize: c.get("config").limits.jsonBodyBytes,
    onError: () => {
      throw new PayloadTooLarge();
    },
  });
  return limit(c, next);
};
