// /api/conversations (spec §4.13–4.16): list, delete, rename, pin, unpin — chat apps only.
import { Hono } from "hono";
import { getDb } from "../db/client";
import { passportAuth } from "../http/auth";
import type { WebAppEnv } from "../http/context";
import { depsOf, ownerOf } from "../http/deps";
import { uuidParam } from "../http/openapi";
import { doc, validate } from "../http/validate";
import { conversationPage, conversationView, listConversationsQuery, renameConversationBody, resultSuccess } from "../schemas/conversations";
import { requireMode } from "../services/apps/app-mode";
import {
  deleteConversation,
  listConversations,
  pinConversation,
  renameConversation,
  unpinConversation,
} from "../services/conversations/conversations";

export const conversationRoutes = new Hono<WebAppEnv>();

// "/conversations/*" also matches "/conversations" itself.
conversationRoutes.use("/conversations/*", passportAuth, async (c, next) => {
  requireMode(c.get("appContext"), "chat");
  await next();
});

const ID = uuidParam("c_id");

conversationRoutes.get(
  "/conversations",
  doc({ summary: "List the end user's conversations", tags: ["conversations"], responses: { 200: { description: "A page", schema: conversationPage } } }),
  validate("query", listConversationsQuery),
  async (c) => c.json(await listConversations(getDb(c.env.DB), ownerOf(c), c.req.valid("query"))),
);

conversationRoutes.delete(
  `/conversations/${ID}`,
  doc({ summary: "Delete a conversation (soft delete)", tags: ["conversations"], responses: { 204: { description: "Deleted" } } }),
  async (c) => {
    await deleteConversation(getDb(c.env.DB), ownerOf(c), c.req.param("c_id")!);
    return c.body(null, 204);
  },
);

conversationRoutes.post(
  `/conversations/${ID}/name`,
  doc({
    summary: "Rename a conversation, or generate a title with the app's model",
    tags: ["conversations"],
    responses: { 200: { description: "The conversation", schema: conversationView } },
  }),
  validate("json", renameConversationBody),
  async (c) => c.json(await renameConversation(depsOf(c), c.get("appContext"), ownerOf(c), c.req.param("c_id")!, c.req.valid("json"))),
);

conversationRoutes.patch(
  `/conversations/${ID}/pin`,
  doc({ summary: "Pin a conversation", tags: ["conversations"], responses: { 200: { description: "Pinned", schema: resultSuccess } } }),
  async (c) => {
    await pinConversation(getDb(c.env.DB), ownerOf(c), c.req.param("c_id")!);
    return c.json({ result: "success" });
  },
);

conversationRoutes.patch(
  `/conversations/${ID}/unpin`,
  doc({ summary: "Unpin a conversation", tags: ["conversations"], responses: { 200: { description: "Unpinned", schema: resultSuccess } } }),
  async (c) => {
    await unpinConversation(getDb(c.env.DB), ownerOf(c), c.req.param("c_id")!);
    return c.json({ result: "success" });
  },
);
