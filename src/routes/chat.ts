// POST /api/chat-messages, POST /api/chat-messages/{task_id}/stop (spec §4.5, §4.6) and, beyond
// Dify, GET /api/chat-messages/{task_id}/events to resume a stream after a disconnect.
import { Hono } from "hono";
import { passportAuth } from "../http/auth";
import type { WebAppEnv } from "../http/context";
import { depsOf, ownerOf } from "../http/deps";
import { InvalidParam } from "../lib/errors";
import { doc, validate } from "../http/validate";
import { blockingMessageResponse, chatMessageBody, resumeQuery, stopResponse, taskIdParam } from "../schemas/chat";
import { effectiveMode, requireMode } from "../services/apps/app-mode";
import { startChat } from "../services/generation/chat";
import { startChatflow } from "../services/workflows/chatflow";
import { startAgentChat } from "../services/generation/agent-chat";
import { generationResponse, taskEventStream } from "../services/generation/generation";
import { stopTask } from "../tasks/client";

export const chatRoutes = new Hono<WebAppEnv>();

chatRoutes.post(
  "/chat-messages",
  doc({
    summary: "Send a chat message (streaming SSE or blocking JSON)",
    tags: ["chat"],
    responses: {
      200: { description: "text/event-stream of message events, or the blocking message", schema: blockingMessageResponse },
    },
  }),
  passportAuth,
  validate("json", chatMessageBody),
  async (c) => {
    const ctx = c.get("appContext");
    requireMode(ctx, "chat");
    const endUser = c.get("endUser");
    const body = c.req.valid("json");
    const mode = effectiveMode(ctx);
    const start = mode === "advanced-chat" ? startChatflow : mode === "agent-chat" ? startAgentChat : startChat;
    const started = await start(depsOf(c), ctx, endUser, body);
    return generationResponse(c.env, started, ownerOf(c), true);
  },
);

chatRoutes.post(
  "/chat-messages/:task_id/stop",
  doc({
    summary: "Stop a generation (always success; only the task's own end user can stop it)",
    tags: ["chat"],
    responses: { 200: { description: "Stopped", schema: stopResponse } },
  }),
  passportAuth,
  validate("param", taskIdParam),
  async (c) => {
    const ctx = c.get("appContext");
    // Dify's web client stops completion runs through this path as well.
    if (effectiveMode(ctx) !== "completion") requireMode(ctx, "chat");
    await stopTask(c.env, c.req.valid("param").task_id, ownerOf(c));
    return c.json({ result: "success" });
  },
);

chatRoutes.get(
  "/chat-messages/:task_id/events",
  doc({
    summary: "Resume a generation's event stream after Last-Event-ID or ?cursor= (beyond Dify)",
    tags: ["chat"],
    responses: { 200: { description: "text/event-stream replaying the missed events, then live ones", contentType: "text/event-stream" } },
  }),
  passportAuth,
  validate("param", taskIdParam),
  validate("query", resumeQuery),
  async (c) => {
    const lastEventId = c.req.header("Last-Event-ID")?.trim();
    const raw = lastEventId || c.req.valid("query").cursor || "0";
    if (!/^\d{1,15}$/.test(raw)) throw new InvalidParam("Last-Event-ID must be a non-negative integer", "Last-Event-ID");
    return taskEventStream(c.env, c.req.valid("param").task_id, ownerOf(c), Number(raw));
  },
);
