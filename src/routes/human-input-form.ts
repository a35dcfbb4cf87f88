// GET and POST /api/form/human_input/{form_token} (spec §4.28, §4.29): no passport, as Dify.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { depsOf } from "../http/deps";
import { doc, validate } from "../http/validate";
import { getForm, submitForm } from "../services/human-input/forms";

export const humanInputFormRoutes = new Hono<AppEnv>();

const tokenParam = z.object({ form_token: z.string().min(1).max(64) });
const submitBody = z.object({ inputs: z.record(z.string(), z.unknown()), action: z.string().min(1).max(64) });

/** The client's IP as Dify reads it: CF-Connecting-IP, else the first X-Forwarded-For. */
const clientIp = (header: (name: string) => string | undefined) => header("CF-Connecting-IP") ?? header("X-Forwarded-For")?.split(",")[0]?.trim() ?? "unknown";

humanInputFormRoutes.get(
  "/form/human_input/:form_token",
  doc({ summary: "A human-input form by its token (no passport)", tags: ["human input"], security: "none", responses: { 200: { description: "The form" } } }),
  validate("param", tokenParam),
  async (c) => c.json(await getForm(depsOf(c), clientIp((n) => c.req.header(n)), c.req.valid("param").form_token)),
);

humanInputFormRoutes.post(
  "/form/human_input/:form_token",
  doc({ summary: "Submit a human-input form (no passport); the paused run continues", tags: ["human input"], security: "none", responses: { 200: { description: "{}" } } }),
  validate("param", tokenParam),
  validate("json", submitBody),
  async (c) => c.json(await submitForm(depsOf(c), clientIp((n) => c.req.header(n)), c.req.valid("param").form_token, c.req.valid("json"))),
);
