// Admin: accounts that sign in to non-public web apps (create, list, get, update, delete).
import { Hono } from "hono";
import { getDb } from "../../db/client";
import type { AppEnv } from "../../http/context";
import { uuidParam } from "../../http/openapi";
import { doc, validate } from "../../http/validate";
import { accountList, accountView as accountSchema, createAccountBody, pageQuery, patchAccountBody } from "../../schemas/admin-access";
import { accountGroupsOf, accountView, createAccount, deleteAccount, listAccounts, requireAccount, updateAccount } from "../../services/auth/accounts";

export const adminAccountRoutes = new Hono<AppEnv>();
const tags = ["admin: access"];
const idOf = (param: string | undefined) => param!.toLowerCase();

adminAccountRoutes.post(
  "/accounts",
  doc({ summary: "Create an account", tags, security: "admin", responses: { 201: { description: "Account", schema: accountSchema } } }),
  validate("json", createAccountBody),
  async (c) => c.json(accountView(await createAccount(getDb(c.env.DB), c.req.valid("json")), []), 201),
);

adminAccountRoutes.get(
  "/accounts",
  doc({ summary: "List accounts", tags, security: "admin", responses: { 200: { description: "A page of accounts", schema: accountList } } }),
  validate("query", pageQuery),
  async (c) => {
    const { page, limit } = c.req.valid("query");
    return c.json(await listAccounts(getDb(c.env.DB), page, limit));
  },
);

adminAccountRoutes.get(
  `/accounts/${uuidParam("id")}`,
  doc({ summary: "Get an account with its groups", tags, security: "admin", responses: { 200: { description: "Account", schema: accountSchema } } }),
  async (c) => {
    const db = getDb(c.env.DB);
    const account = await requireAccount(db, idOf(c.req.param("id")));
    return c.json(accountView(account, await accountGroupsOf(db, account.id)));
  },
);

adminAccountRoutes.patch(
  `/accounts/${uuidParam("id")}`,
  doc({
    summary: "Rename, ban/unban or set the password of an account",
    description: "A ban or a new password ends every existing session of the account.",
    tags,
    security: "admin",
    responses: { 200: { description: "Account", schema: accountSchema } },
  }),
  validate("json", patchAccountBody),
  async (c) => {
    const db = getDb(c.env.DB);
    const account = await updateAccount(db, idOf(c.req.param("id")), c.req.valid("json"));
    return c.json(accountView(account, await accountGroupsOf(db, account.id)));
  },
);

adminAccountRoutes.delete(
  `/accounts/${uuidParam("id")}`,
  doc({ summary: "Delete an account, its memberships and grants", tags, security: "admin", responses: { 204: { description: "Deleted" } } }),
  async (c) => {
    await deleteAccount(getDb(c.env.DB), idOf(c.req.param("id")));
    return c.body(null, 204);
  },
);
