// Accounts that sign in to non-public web apps: lookups for the sign-in flows and the admin API's writes.
// Every write that can change an access decision drops this isolate's cached decisions.
import { and, count, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type Account, accountGroupMembers, accountGroups, accounts, appAccessGrants, endUsers } from "../../db/schema";
import { EmailAlreadyInUse, NotFound } from "../../lib/errors";
import { forgetAccessDecisions } from "./access-control";
import { nowSeconds, uuid } from "../../lib/ids";
import { hashPassword } from "./passwords";

export type AccountStatus = "active" | "banned";

/** Addresses are compared lower-cased (Dify's newest code does the same). */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

export async function findAccountByEmail(db: Db, email: string): Promise<Account | null> {
  return (await db.select().from(accounts).where(eq(accounts.email, normalizeEmail(email))).get()) ?? null;
}

export function accountView(account: Account, groups?: { id: string; name: string }[]) {
  return {
    id: account.id,
    email: account.email,
    name: account.name,
    status: account.status as AccountStatus,
    has_password: account.password !== null,
    last_login_at: account.lastLoginAt,
    created_at: account.createdAt,
    updated_at: account.updatedAt,
    ...(groups ? { groups } : {}),
  };
}

export async function requireAccount(db: Db, id: string): Promise<Account> {
  const account = await db.select().from(accounts).where(eq(accounts.id, id)).get();
  if (!account) throw new NotFound("Account not found.");
  return account;
}

export async function accountGroupsOf(db: Db, accountId: string): Promise<{ id: string; name: string }[]> {
  return db
    .select({ id: accountGroups.id, name: accountGroups.name })
    .from(accountGroupMembers)
    .innerJoin(accountGroups, eq(accountGroups.id, accountGroupMembers.groupId))
    .where(eq(accountGroupMembers.accountId, accountId))
    .orderBy(accountGroups.name)
    .all();
}

export async function createAccount(db: Db, input: { email: string; name?: string; password?: string }): Promise<Account> {
  const email = normalizeEmail(input.email);
  const now = nowSeconds();
  const hashed = input.password ? await hashPassword(input.password) : { password: null, passwordSalt: null };
  const created = await db
    .insert(accounts)
    .values({ id: uuid(), email, name: input.name?.trim() || email.split("@")[0], ...hashed, createdAt: now, updatedAt: now })
    .onConflictDoNothing()
    .returning()
    .get();
  if (!created) throw new EmailAlreadyInUse();
  return created;
}

export async function listAccounts(db: Db, page: number, limit: number) {
  const rows = await db.select().from(accounts).orderBy(desc(accounts.createdAt), accounts.email).limit(limit + 1).offset((page - 1) * limit).all();
  const total = (await db.select({ n: count() }).from(accounts).get())?.n ?? 0;
  return { page, limit, total, has_more: rows.length > limit, data: rows.slice(0, limit).map((a) => accountView(a)) };
}

/**
 * Updates name, status and/or password. A new password or a ban also moves `tokens_valid_after`, so
 * every login token and app passport issued before it stops working.
 */
export async function updateAccount(db: Db, id: string, patch: { name?: string; status?: AccountStatus; password?: string }): Promise<Account> {
  const account = await requireAccount(db, id);
  const now = nowSeconds();
  const set: Partial<Account> = { updatedAt: now };
  if (patch.name !== undefined) set.name = patch.name.trim();
  if (patch.status !== undefined) set.status = patch.status;
  if (patch.password !== undefined) Object.assign(set, await hashPassword(patch.password));
  if (patch.password !== undefined || (patch.status === "banned" && account.status !== "banned")) set.tokensValidAfter = now;
  const updated = await db.update(accounts).set(set).where(eq(accounts.id, id)).returning().get();
  forgetAccessDecisions();
  return updated!;
}

/** Sets a password chosen through the reset flow; returns false when the account no longer exists. */
export async function resetPassword(db: Db, email: string, password: string): Promise<boolean> {
  const now = nowSeconds();
  const updated = await db
    .update(accounts)
    .set({ ...(await hashPassword(password)), tokensValidAfter: now, updatedAt: now })
    .where(eq(accounts.email, normalizeEmail(email)))
    .returning({ id: accounts.id })
    .get();
  forgetAccessDecisions();
  return updated !== undefined;
}

export async function deleteAccount(db: Db, id: string): Promise<void> {
  const account = await requireAccount(db, id);
  await db.batch([
    // Its end users keep their history but not the email as session id: an account created later with
    // the same address must not inherit the conversations.
    db
      .update(endUsers)
      .set({ sessionId: sql`'deleted-account:' || ${endUsers.id}` })
      .where(and(eq(endUsers.sessionId, account.email), eq(endUsers.isAnonymous, false))),
    db.delete(accountGroupMembers).where(eq(accountGroupMembers.accountId, id)),
    db.delete(appAccessGrants).where(and(eq(appAccessGrants.subjectType, "account"), eq(appAccessGrants.subjectId, id))),
    db.delete(accounts).where(eq(accounts.id, id)),
  ]);
  forgetAccessDecisions();
}

export async function recordLogin(db: Db, accountId: string): Promise<void> {
  await db.update(accounts).set({ lastLoginAt: nowSeconds() }).where(eq(accounts.id, accountId));
}
