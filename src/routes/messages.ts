// GET /api/messages, POST /api/messages/{id}/feedbacks, GET /api/messages/{id}/suggested-questions (spec §4.9, §4.10, §4.12).
import { Hono } from "hono";
import { getDb } from "../db/client";
import { passportAuth } from "../http/auth";
import type { WebAppEnv } from "../http/context";
import { depsOf, ownerOf } from "../http/deps";
import { fileSigner } from "../http/file-signer";
import { uuidParam } from "../http/openapi";
import { doc, validate } from "../http/validate";
import { feedbackBody, listMessagesQuery, messagePage, resultSuccess, suggestedQuestionsResponse } from "../schemas/conversations";
import { blockingMessageResponse } from "../schemas/chat";
import { moreLikeThisQuery } from "../schemas/completion";
import { requireMode } from "../services/apps/app-mode";
import { startMoreLikeThis } from "../services/generation/completion";
import { generationResponse } from "../services/generation/generation";
import { listMessages, rateMessage, suggestedQuestions } from "../services/conversations/messages";

export const messageRoutes = new Hono<WebAppEnv>();
// "/messages/*" also matches "/messages" itself.
messageRoutes.use("/messages/*", passportAuth);

const ID = uuidParam("message_id");

messageRoutes.get(
  "/messages",
  doc({ summary: "Messages of a conversation, oldest first, paging backwards", tags: ["messages"], responses: { 200: { description: "A page", schema: messagePage } } }),
  validate("query", listMessagesQuery),
  async (c) => {
    requireMode(c.get("appContext"), "chat");
    return c.json(await listMessages(getDb(c.env.DB), ownerOf(c), fileSigner(c.get("config"), c.req.url), c.req.valid("query")));
  },
);

messageRoutes.post(
  `/messages/${ID}/feedbacks`,
  doc({ summary: "Like, dislike or clear the end user's feedback on a message", tags: ["messages"], responses: { 200: { description: "Saved", schema: resultSuccess } } }),
  validate("json", feedbackBody),
  async (c) => {
    await rateMessage(getDb(c.env.DB), ownerOf(c), c.req.param("message_id")!, c.req.valid("json"));
    return c.json({ result: "success" });
  },
);

messageRoutes.get(
  `/messages/${ID}/suggested-questions`,
  doc({
    summary: "Three follow-up questions suggested by the app's model",
    tags: ["messages"],
    responses: { 200: { description: "Questions", schema: suggestedQuestionsResponse } },
  }),
  async (c) => {
    requireMode(c.get("appContext"), "chat");
    const data = await suggestedQuestions(depsOf(c), c.get("appContext"), ownerOf(c), c.req.param("message_id")!);
    return c.json({ result: "success", data });
  },
);

messageRoutes.get(
  `/messages/${ID}/more-like-this`,
  doc({
    summary: "Regenerate an answer for the same inputs and query as a new message (completion apps)",
    tags: ["completion"],
    responses: { 200: { description: "text/event-stream, or the blocking message", schema: blockingMessageResponse } },
  }),
  validate("query", moreLikeThisQuery),
  async (c) => {
    const ctx = c.get("appContext");
    requireMode(ctx, "completion");
    const endUser = c.get("endUser");
    const streaming = c.req.valid("query").response_mode === "streaming";
    const started = await startMoreLikeThis(depsOf(c), ctx, endUser, c.req.param("message_id")!, streaming);
    return generationResponse(c.env, started, ownerOf(c), false);
  },
);
