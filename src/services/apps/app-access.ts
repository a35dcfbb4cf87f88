// Admin reads and writes of an app's access mode and grants (PUT /admin/apps/{id}/access).
import { and, eq, inArray } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { chunks, D1_MAX_PARAMS } from "../../db/chunks";
import type { Db } from "../../db/client";
import { accountGroups, accounts, appAccessGrants, apps } from "../../db/schema";
import { InvalidParam } from "../../lib/errors";
import { type AccessMode, forgetAccessDecisions } from "../auth/access-control";
import { accountIdsByEmail } from "../auth/account-groups";
import { requireApp } from "./app-admin";
import { invalidateAppCache } from "./app-registry";
import { nowSeconds } from "../../lib/ids";

export async function appAccess(db: Db, appId: string) {
  const app = (await requireApp(db, appId)).app;
  const grantedAccounts = await db
    .select({ id: accounts.id, email: accounts.email, name: accounts.name })
    .from(appAccessGrants)
    .innerJoin(accounts, eq(accounts.id, appAccessGrants.subjectId))
    .where(and(eq(appAccessGrants.appId, appId), eq(appAccessGrants.subjectType, "account")))
    .orderBy(accounts.email)
    .all();
  const grantedGroups = await db
    .select({ id: accountGroups.id, name: accountGroups.name })
    .from(appAccessGrants)
    .innerJoin(accountGroups, eq(accountGroups.id, appAccessGrants.subjectId))
    .where(and(eq(appAccessGrants.appId, appId), eq(appAccessGrants.subjectType, "group")))
    .orderBy(accountGroups.name)
    .all();
  return { app_id: app.id, access_mode: app.accessMode as AccessMode, accounts: grantedAccounts, groups: grantedGroups };
}

async function existingGroupIds(db: Db, ids: string[]): Promise<string[]> {
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  const found: string[] = [];
  for (const part of chunks(wanted, D1_MAX_PARAMS)) {
    found.push(...(await db.select({ id: accountGroups.id }).from(accountGroups).where(inArray(accountGroups.id, part)).all()).map((g) => g.id));
  }
  const missing = wanted.filter((id) => !found.includes(id));
  if (missing.length > 0) throw new InvalidParam(`No group with id ${missing.join(", ")}.`, "groups");
  return found;
}

/** Sets the mode and, for each list given, replaces that kind of grant. Lists are checked before any write. */
export async function setAppAccess(db: Db, appId: string, input: { access_mode: AccessMode; accounts?: string[]; groups?: string[] }) {
  await requireApp(db, appId);
  const accountIds = input.accounts === undefined ? undefined : await accountIdsByEmail(db, input.accounts, "accounts");
  const groupIds = input.groups === undefined ? undefined : await existingGroupIds(db, input.groups);
  const now = nowSeconds();
  const statements: BatchItem<"sqlite">[] = [db.update(apps).set({ accessMode: input.access_mode, updatedAt: now }).where(eq(apps.id, appId))];
  for (const [subjectType, ids] of [["account", accountIds], ["group", groupIds]] as const) {
    if (ids === undefined) continue;
    statements.push(db.delete(appAccessGrants).where(and(eq(appAccessGrants.appId, appId), eq(appAccessGrants.subjectType, subjectType))));
    for (const part of chunks(ids, D1_MAX_PARAMS / 4)) {
      statements.push(db.insert(appAccessGrants).values(part.map((subjectId) => ({ appId, subjectType, subjectId, createdAt: now }))));
    }
  }
  // One transaction: a reader never sees the old grants removed but the new ones missing.
  await db.batch(statements as [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]]);
  invalidateAppCache(appId);
  forgetAccessDecisions();
  return appAccess(db, appId);
}
