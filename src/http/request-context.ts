// First middleware: request id (X-Trace-Id), typed config, Dify's version headers, one access log line.
import type { MiddlewareHandler } from "hono";
import { getConfig } from "../config";
import type { AppEnv } from "./context";
import { log } from "../lib/log";

/** The Dify release whose Web API this server speaks. */
export const DIFY_COMPAT_VERSION = "1.14.2";

export const requestContext: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = crypto.randomUUID();
  const started = Date.now();
  c.set("requestId", requestId);
  // A ConfigError thrown here reaches onError, which also sets X-Trace-Id.
  const config = getConfig(c.env);
  c.set("config", config);
  await next();
  c.res.headers.set("X-Trace-Id", requestId);
  c.res.headers.set("X-Version", DIFY_COMPAT_VERSION);
  c.res.headers.set("X-Env", config.deployEnv);
  // Only method, path and status: query strings, headers and bodies can carry tokens.
  log(config, "info", "request", {
    request_id: requestId,
    method: c.req.method,
    path: new URL(c.req.url).pathname,
    status: c.res.status,
    duration_ms: Date.now() - started,
  });
};
