// Request validation: @hono/zod-validator with one hook that answers 400 invalid_param naming the
// field. The returned middleware also carries its schema so the OpenAPI document is generated
// from exactly what validates requests (src/http/openapi.ts).
import { zValidator } from "@hono/zod-validator";
import type { MiddlewareHandler } from "hono";
import type { z } from "zod";
import { InvalidParam } from "../lib/errors";

export const OPENAPI_META = Symbol.for("dify.openapi");

export type ValidationTarget = "json" | "query" | "param" | "form";

export interface ValidatorMeta {
  kind: "validator";
  target: ValidationTarget;
  schema: z.ZodType;
}

export interface DocMeta {
  kind: "doc";
  summary: string;
  description?: string;
  tags?: string[];
  /** Status → description, with an optional response schema. */
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  /** Who may call it; "appCode" = no passport yet, only the share code in X-App-Code (GET /api/passport). */
  security?: "passport" | "admin" | "appCode" | "none";
}

type Issue = z.core.$ZodIssue;

function fieldOf(issue: Issue): string {
  return issue.path.map(String).join(".");
}

/** A Dify-style message: "<field> is required" for a missing value, else "<field>: <reason>". */
export function issueMessage(issue: Issue): string {
  const field = fieldOf(issue);
  if ("input" in issue && issue.input === undefined && field) return `${field} is required`;
  return field ? `${field}: ${issue.message}` : issue.message;
}

export function validate<Target extends ValidationTarget, Schema extends z.ZodType>(target: Target, schema: Schema) {
  const middleware = zValidator(
    target,
    schema,
    (result) => {
      if (!result.success) {
        const issue = result.error.issues[0] as Issue;
        throw new InvalidParam(issueMessage(issue), fieldOf(issue) || undefined);
      }
    },
    // reportInput lets the hook tell a missing field from a wrong one.
    { validationFunction: (s, value) => (s as z.ZodType).safeParseAsync(value, { reportInput: true }) as any },
  );
  const meta: ValidatorMeta = { kind: "validator", target, schema };
  return Object.assign(middleware, { [OPENAPI_META]: meta });
}

/** A pass-through middleware that documents the route it is mounted on. */
export function doc(meta: Omit<DocMeta, "kind">): MiddlewareHandler {
  const middleware: MiddlewareHandler = (_c, next) => next();
  return Object.assign(middleware, { [OPENAPI_META]: { kind: "doc", ...meta } satisfies DocMeta });
}

/**
 * Documents a multipart body in the OpenAPI output. Multipart routes cannot use validate("form"):
 * that parses (and buffers) the whole body up front; they read parts with MultipartReader instead.
 */
export function multipartBody(schema: z.ZodType): MiddlewareHandler {
  const middleware: MiddlewareHandler = (_c, next) => next();
  const meta: ValidatorMeta = { kind: "validator", target: "form", schema };
  return Object.assign(middleware, { [OPENAPI_META]: meta });
}
