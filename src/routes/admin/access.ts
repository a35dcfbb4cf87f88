// Admin: an app's web-app access mode and grants, and the local mail outbox.
import { desc, eq } from "drizzle-orm";
import { Hono } from "hono";
import { getDb } from "../../db/client";
import { mailOutbox } from "../../db/schema";
import type { AppEnv } from "../../http/context";
import { uuidParam } from "../../http/openapi";
import { doc, validate } from "../../http/validate";
import { accessView, outboxList, outboxQuery, putAccessBody } from "../../schemas/admin-access";
import { appAccess, setAppAccess } from "../../services/apps/app-access";

export const adminAccessRoutes = new Hono<AppEnv>();
const tags = ["admin: access"];

adminAccessRoutes.get(
  `/apps/${uuidParam("id")}/access`,
  doc({ summary: "An app's access mode and grants", tags, security: "admin", responses: { 200: { description: "Access", schema: accessView } } }),
  async (c) => c.json(await appAccess(getDb(c.env.DB), c.req.param("id")!.toLowerCase())),
);

adminAccessRoutes.put(
  `/apps/${uuidParam("id")}/access`,
  doc({
    summary: "Set an app's access mode and, for each list given, replace its grants",
    description: "private: only granted accounts (directly or via a group); private_all: every active account; sso_verified: refused until an identity provider exists.",
    tags,
    security: "admin",
    responses: { 200: { description: "Access", schema: accessView } },
  }),
  validate("json", putAccessBody),
  async (c) => c.json(await setAppAccess(getDb(c.env.DB), c.req.param("id")!.toLowerCase(), c.req.valid("json"))),
);

adminAccessRoutes.get(
  "/outbox",
  doc({
    summary: "Mail kept by MAIL_PROVIDER=outbox, newest first",
    description: "For local development: read sign-in and reset codes here.",
    tags,
    security: "admin",
    responses: { 200: { description: "Messages", schema: outboxList } },
  }),
  validate("query", outboxQuery),
  async (c) => {
    const { to, limit } = c.req.valid("query");
    const db = getDb(c.env.DB);
    const rows = await db
      .select()
      .from(mailOutbox)
      .where(to ? eq(mailOutbox.recipient, to.trim().toLowerCase()) : undefined)
      .orderBy(desc(mailOutbox.id))
      .limit(limit)
      .all();
    return c.json({ data: rows.map((m) => ({ id: m.id, to: m.recipient, subject: m.subject, text: m.text, html: m.html, created_at: m.createdAt })) });
  },
);
