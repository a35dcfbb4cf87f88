// The one place errors become responses: {"code","message","status"} (spec dify-web-api.md §3.1).
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./context";
import { ApiError, BadRequest, InternalServerError, NotFound, WWW_AUTHENTICATE } from "../lib/errors";
import { describeError, log } from "../lib/log";

function toApiError(err: unknown, requestId: string): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof HTTPException && err.status === 400) {
    // Hono's JSON body parser failure; Flask answers this text.
    return new BadRequest("Invalid JSON payload received or JSON payload is empty.");
  }
  if (err instanceof HTTPException && err.status === 404) return new NotFound();
  return new InternalServerError(`${new InternalServerError().message} Request id: ${requestId}.`);
}

export function errorResponse(err: unknown, c: Context<AppEnv>): Response {
  const requestId = c.get("requestId") ?? crypto.randomUUID();
  const apiError = toApiError(err, requestId);
  if (apiError.status >= 500) {
    log(c.get("config") ?? null, "error", "unhandled error", { request_id: requestId, error: describeError(err) });
  }
  const headers = new Headers({ "Content-Type": "application/json", "X-Trace-Id": requestId });
  if (apiError.status === 401) headers.set("WWW-Authenticate", WWW_AUTHENTICATE);
  return new Response(JSON.stringify(apiError), { status: apiError.status, headers });
}

export function notFoundResponse(c: Context<AppEnv>): Response {
  return errorResponse(new NotFound(), c);
}
