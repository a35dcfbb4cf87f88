// Groups of accounts: a `private` app can be granted to a whole group (admin API).
import { and, count, eq, inArray } from "drizzle-orm";
import { chunks, D1_MAX_PARAMS } from "../../db/chunks";
import type { Db } from "../../db/client";
import { type AccountGroup, accountGroupMembers, accountGroups, accounts, appAccessGrants } from "../../db/schema";
import { InvalidParam, NotFound } from "../../lib/errors";
import { forgetAccessDecisions } from "./access-control";
import { normalizeEmail } from "./accounts";
import { nowSeconds, uuid } from "../../lib/ids";

export class GroupNameTaken extends InvalidParam {
  constructor() {
    super("A group with this name already exists.", "name");
  }
}

export async function requireGroup(db: Db, id: string): Promise<AccountGroup> {
  const group = await db.select().from(accountGroups).where(eq(accountGroups.id, id)).get();
  if (!group) throw new NotFound("Group not found.");
  return group;
}

export async function groupDetail(db: Db, group: AccountGroup) {
  const members = await db
    .select({ id: accounts.id, email: accounts.email, name: accounts.name, status: accounts.status })
    .from(accountGroupMembers)
    .innerJoin(accounts, eq(accounts.id, accountGroupMembers.accountId))
    .where(eq(accountGroupMembers.groupId, group.id))
    .orderBy(accounts.email)
    .all();
  return { id: group.id, name: group.name, created_at: group.createdAt, updated_at: group.updatedAt, members };
}

export async function listGroups(db: Db) {
  const rows = await db
    .select({ group: accountGroups, members: count(accountGroupMembers.accountId) })
    .from(accountGroups)
    .leftJoin(accountGroupMembers, eq(accountGroupMembers.groupId, accountGroups.id))
    .groupBy(accountGroups.id)
    .orderBy(accountGroups.name)
    .all();
  return {
    data: rows.map((r) => ({ id: r.group.id, name: r.group.name, member_count: r.members, created_at: r.group.createdAt, updated_at: r.group.updatedAt })),
  };
}

export async function createGroup(db: Db, name: string): Promise<AccountGroup> {
  const now = nowSeconds();
  const group = await db.insert(accountGroups).values({ id: uuid(), name: name.trim(), createdAt: now, updatedAt: now }).onConflictDoNothing().returning().get();
  if (!group) throw new GroupNameTaken();
  return group;
}

export async function renameGroup(db: Db, id: string, name: string): Promise<AccountGroup> {
  await requireGroup(db, id);
  const clash = await db.select({ id: accountGroups.id }).from(accountGroups).where(eq(accountGroups.name, name.trim())).get();
  if (clash && clash.id !== id) throw new GroupNameTaken();
  return (await db.update(accountGroups).set({ name: name.trim(), updatedAt: nowSeconds() }).where(eq(accountGroups.id, id)).returning().get())!;
}

export async function deleteGroup(db: Db, id: string): Promise<void> {
  await requireGroup(db, id);
  await db.batch([
    db.delete(accountGroupMembers).where(eq(accountGroupMembers.groupId, id)),
    db.delete(appAccessGrants).where(and(eq(appAccessGrants.subjectType, "group"), eq(appAccessGrants.subjectId, id))),
    db.delete(accountGroups).where(eq(accountGroups.id, id)),
  ]);
  forgetAccessDecisions();
}

/** Account ids for `emails`; an unknown address is a 400 naming it (nothing is written). */
export async function accountIdsByEmail(db: Db, emails: string[], field: string): Promise<string[]> {
  const wanted = [...new Set(emails.map(normalizeEmail))];
  if (wanted.length === 0) return [];
  const found: { id: string; email: string }[] = [];
  for (const part of chunks(wanted, D1_MAX_PARAMS)) {
    found.push(...(await db.select({ id: accounts.id, email: accounts.email }).from(accounts).where(inArray(accounts.email, part)).all()));
  }
  const missing = wanted.filter((e) => !found.some((f) => f.email === e));
  if (missing.length > 0) throw new InvalidParam(`No account with email ${missing.join(", ")}.`, field);
  return found.map((f) => f.id);
}

export async function addMembers(db: Db, groupId: string, emails: string[]): Promise<void> {
  await requireGroup(db, groupId);
  const ids = await accountIdsByEmail(db, emails, "emails");
  if (ids.length === 0) return;
  const now = nowSeconds();
  for (const part of chunks(ids, D1_MAX_PARAMS / 3)) {
    await db.insert(accountGroupMembers).values(part.map((accountId) => ({ groupId, accountId, createdAt: now }))).onConflictDoNothing();
  }
  forgetAccessDecisions();
}

export async function removeMember(db: Db, groupId: string, accountId: string): Promise<void> {
  await requireGroup(db, groupId);
  const removed = await db
    .delete(accountGroupMembers)
    .where(and(eq(accountGroupMembers.groupId, groupId), eq(accountGroupMembers.accountId, accountId)))
    .returning()
    .get();
  if (!removed) throw new NotFound("Account is not a member of this group.");
  forgetAccessDecisions();
}
