// Admin: groups of accounts and their members (a private app can be granted to a group).
import { Hono } from "hono";
import { getDb } from "../../db/client";
import type { AppEnv } from "../../http/context";
import { uuidParam } from "../../http/openapi";
import { doc, validate } from "../../http/validate";
import { groupBody, groupList, groupView, membersBody } from "../../schemas/admin-access";
import { addMembers, createGroup, deleteGroup, groupDetail, listGroups, removeMember, renameGroup, requireGroup } from "../../services/auth/account-groups";

export const adminGroupRoutes = new Hono<AppEnv>();
const tags = ["admin: access"];
const idOf = (param: string | undefined) => param!.toLowerCase();

adminGroupRoutes.post(
  "/groups",
  doc({ summary: "Create a group", tags, security: "admin", responses: { 201: { description: "Group", schema: groupView } } }),
  validate("json", groupBody),
  async (c) => {
    const db = getDb(c.env.DB);
    return c.json(await groupDetail(db, await createGroup(db, c.req.valid("json").name)), 201);
  },
);

adminGroupRoutes.get(
  "/groups",
  doc({ summary: "List groups with member counts", tags, security: "admin", responses: { 200: { description: "Groups", schema: groupList } } }),
  async (c) => c.json(await listGroups(getDb(c.env.DB))),
);

adminGroupRoutes.get(
  `/groups/${uuidParam("id")}`,
  doc({ summary: "Get a group with its members", tags, security: "admin", responses: { 200: { description: "Group", schema: groupView } } }),
  async (c) => {
    const db = getDb(c.env.DB);
    return c.json(await groupDetail(db, await requireGroup(db, idOf(c.req.param("id")))));
  },
);

adminGroupRoutes.patch(
  `/groups/${uuidParam("id")}`,
  doc({ summary: "Rename a group", tags, security: "admin", responses: { 200: { description: "Group", schema: groupView } } }),
  validate("json", groupBody),
  async (c) => {
    const db = getDb(c.env.DB);
    return c.json(await groupDetail(db, await renameGroup(db, idOf(c.req.param("id")), c.req.valid("json").name)));
  },
);

adminGroupRoutes.delete(
  `/groups/${uuidParam("id")}`,
  doc({ summary: "Delete a group, its memberships and grants", tags, security: "admin", responses: { 204: { description: "Deleted" } } }),
  async (c) => {
    await deleteGroup(getDb(c.env.DB), idOf(c.req.param("id")));
    return c.body(null, 204);
  },
);

adminGroupRoutes.post(
  `/groups/${uuidParam("id")}/members`,
  doc({ summary: "Add accounts (by email) to a group", tags, security: "admin", responses: { 200: { description: "Group", schema: groupView } } }),
  validate("json", membersBody),
  async (c) => {
    const db = getDb(c.env.DB);
    const id = idOf(c.req.param("id"));
    await addMembers(db, id, c.req.valid("json").emails);
    return c.json(await groupDetail(db, await requireGroup(db, id)));
  },
);

adminGroupRoutes.delete(
  `/groups/${uuidParam("id")}/members/${uuidParam("accountId")}`,
  doc({ summary: "Remove an account from a group", tags, security: "admin", responses: { 204: { description: "Removed" } } }),
  async (c) => {
    await removeMember(getDb(c.env.DB), idOf(c.req.param("id")), idOf(c.req.param("accountId")));
    return c.body(null, 204);
  },
);
