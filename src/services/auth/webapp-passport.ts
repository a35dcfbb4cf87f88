// The app passport for a signed-in account on a non-public app (spec dify-web-auth.md §2.3 C, §4.12).
// Grants are not checked here, as in Dify: every app request checks them, so a refused account lands
// on the sign-in page with the "no permission" message instead of a loop.
import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type EndUser, endUsers } from "../../db/schema";
import { WebAppAuthRequired } from "../../lib/errors";
import type { AccessMode } from "./access-control";
import type { AppContext } from "../apps/app-registry";
import { findOrCreateEndUser } from "./end-users";
import { nowSeconds } from "../../lib/ids";
import { issueTimeFor, type verifyLoginToken } from "./login-tokens";
import { PASSPORT_SUBJECT, signToken } from "./passport";

type VerifiedLogin = Awaited<ReturnType<typeof verifyLoginToken>>;

/** The account's end user in the app: session id = account email, as Dify; never an anonymous one. */
async function accountEndUser(db: Db, ctx: AppContext, email: string): Promise<EndUser> {
  const scope = { tenantId: ctx.app.tenantId, appId: ctx.app.id, sessionId: email, isAnonymous: false };
  const endUser = await findOrCreateEndUser(db, scope);
  if (!endUser.isAnonymous) return endUser;
  // A visitor sent this email as user_id while the app was public. That end user stays the visitor's
  // (its session id is moved aside) and the account gets its own: neither sees the other's history.
  await db.update(endUsers).set({ sessionId: `detached:${endUser.id}`, updatedAt: nowSeconds() }).where(and(eq(endUsers.id, endUser.id), eq(endUsers.isAnonymous, true)));
  return findOrCreateEndUser(db, scope);
}

export async function issueWebAppPassport(db: Db, secretKey: string, ctx: AppContext, login: VerifiedLogin, ttlSeconds: number): Promise<string> {
  const mode = ctx.app.accessMode as AccessMode;
  if (mode === "sso_verified") throw new WebAppAuthRequired("Please login as external user.");
  if (login.claims.auth_type !== "internal") throw new WebAppAuthRequired("Please login as internal user.");
  const endUser = await accountEndUser(db, ctx, login.account.email);
  return signToken(secretKey, {
    iss: ctx.site!.id,
    sub: PASSPORT_SUBJECT,
    app_id: ctx.app.id,
    app_code: ctx.site!.code,
    user_id: login.account.id,
    end_user_id: endUser.id,
    auth_type: login.claims.auth_type,
    granted_at: issueTimeFor(login.account),
    token_source: "webapp",
    exp: login.claims.exp ?? nowSeconds() + ttlSeconds,
  });
}
