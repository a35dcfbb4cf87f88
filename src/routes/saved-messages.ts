// /api/saved-messages (spec §4.17–4.19): completion apps only.
import { Hono } from "hono";
import { getDb } from "../db/client";
import { passportAuth } from "../http/auth";
import type { WebAppEnv } from "../http/context";
import { ownerOf } from "../http/deps";
import { fileSigner } from "../http/file-signer";
import { InvalidParam } from "../lib/errors";
import { uuidParam } from "../http/openapi";
import { doc, validate } from "../http/validate";
import { savedMessagePage, saveMessageBody, savedMessagesQuery } from "../schemas/completion";
import { resultSuccess } from "../schemas/conversations";
import { requireMode } from "../services/apps/app-mode";
import { listSavedMessages, saveMessage, unsaveMessage } from "../services/conversations/saved-messages";

export const savedMessageRoutes = new Hono<WebAppEnv>();

// "/saved-messages/*" also matches "/saved-messages" itself.
savedMessageRoutes.use("/saved-messages/*", passportAuth, async (c, next) => {
  requireMode(c.get("appContext"), "completion");
  await next();
});


savedMessageRoutes.get(
  "/saved-messages",
  doc({ summary: "The end user's saved messages, newest first", tags: ["saved messages"], responses: { 200: { description: "A page", schema: savedMessagePage } } }),
  validate("query", savedMessagesQuery),
  async (c) => c.json(await listSavedMessages(getDb(c.env.DB), ownerOf(c), fileSigner(c.get("config"), c.req.url), c.req.valid("query"))),
);

savedMessageRoutes.post(
  "/saved-messages",
  doc({ summary: "Save one of the end user's messages (idempotent)", tags: ["saved messages"], responses: { 200: { description: "Saved", schema: resultSuccess } } }),
  validate("json", saveMessageBody),
  async (c) => {
    const { message_id } = c.req.valid("json");
    if (!message_id) throw new InvalidParam("message_id is required", "message_id");
    await saveMessage(getDb(c.env.DB), ownerOf(c), message_id);
    return c.json({ result: "success" });
  },
);

savedMessageRoutes.delete(
  `/saved-messages/${uuidParam("message_id")}`,
  doc({ summary: "Remove a saved message (idempotent)", tags: ["saved messages"], responses: { 204: { description: "Removed" } } }),
  async (c) => {
    await unsaveMessage(getDb(c.env.DB), ownerOf(c), c.req.param("message_id")!);
    return c.body(null, 204);
  },
);
