// POST /api/completion-messages and POST /api/completion-messages/{task_id}/stop (spec §4.7, §4.8).
import { Hono } from "hono";
import { passportAuth } from "../http/auth";
import type { WebAppEnv } from "../http/context";
import { depsOf, ownerOf } from "../http/deps";
import { doc, validate } from "../http/validate";
import { blockingMessageResponse, completionMessageBody, stopResponse, taskIdParam } from "../schemas/chat";
import { requireMode } from "../services/apps/app-mode";
import { startCompletion } from "../services/generation/completion";
import { generationResponse } from "../services/generation/generation";
import { stopTask } from "../tasks/client";

export const completionRoutes = new Hono<WebAppEnv>();

completionRoutes.post(
  "/completion-messages",
  doc({
    summary: "Generate text for a completion app (streaming SSE or blocking JSON; blocking by default)",
    tags: ["completion"],
    responses: { 200: { description: "text/event-stream of message events, or the blocking message", schema: blockingMessageResponse } },
  }),
  passportAuth,
  validate("json", completionMessageBody),
  async (c) => {
    const ctx = c.get("appContext");
    requireMode(ctx, "completion");
    const endUser = c.get("endUser");
    const started = await startCompletion(depsOf(c), ctx, endUser, c.req.valid("json"));
    return generationResponse(c.env, started, ownerOf(c), false);
  },
);

completionRoutes.post(
  "/completion-messages/:task_id/stop",
  doc({ summary: "Stop a completion run (always success; only its own end user can stop it)", tags: ["completion"], responses: { 200: { description: "Stopped", schema: stopResponse } } }),
  passportAuth,
  validate("param", taskIdParam),
  async (c) => {
    const ctx = c.get("appContext");
    requireMode(ctx, "completion");
    await stopTask(c.env, c.req.valid("param").task_id, ownerOf(c));
    return c.json({ result: "success" });
  },
);
