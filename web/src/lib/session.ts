// Getting the app passport into its cookie before a page's first API call, the way Dify's splash
// screen does it (spec dify-web-client.md §2.5): access mode → login status → passport.
import { ApiFailure, api, failureOf, setHeaderPassport, withQuery } from "./api";

export interface SessionOptions {
  code: string;
  /** sys.user_id from the page URL: the browser session id of an end user (as Dify). */
  userId?: string | null;
  /** A web-app login token just obtained on the sign-in page (exchanged, never stored). */
  loginToken?: string;
}

/** Asks the worker to put a fresh passport for `code` into the HttpOnly cookie. */
export async function issuePassportCookie({ code, userId, loginToken }: SessionOptions): Promise<void> {
  const res = await fetch(withQuery("/webapp-passport", { code, user_id: userId || undefined }), {
    method: "POST",
    credentials: "same-origin",
    headers: loginToken ? { Authorization: `Bearer ${loginToken}` } : {},
  });
  if (!res.ok) throw await failureOf(res);
}

/**
 * Makes sure the cookie holds a valid passport for the app. Throws ApiFailure 404 for an unknown
 * share code or a disabled site. Returns the access mode; for a non-public app without a sign-in
 * the page's own calls then answer 401 and send the browser to sign in.
 */
export async function ensurePassport(options: SessionOptions): Promise<string> {
  const { accessMode } = await api<{ accessMode: string }>("/webapp/access-mode", { query: { appCode: options.code }, noRedirect: true });
  if (framedByAnotherSite()) return framedPassport(options, accessMode);
  const status = await api<{ logged_in: boolean; app_logged_in: boolean }>("/login/status", {
    query: { app_code: options.code, user_id: options.userId || undefined },
    noRedirect: true,
  });
  if (status.app_logged_in) return accessMode;
  if (!status.logged_in && accessMode !== "public") return accessMode;
  try {
    await issuePassportCookie(options);
  } catch (err) {
    // A non-public app answers 401 here: the page's calls will send the browser to sign in.
    if (err instanceof ApiFailure && err.status === 401) return accessMode;
    throw err;
  }
  return accessMode;
}

/** Signs out of the app: drops its passport cookie and the login cookie (POST /api/logout). */
export async function signOut(code: string): Promise<void> {
  await fetch(withQuery("/webapp-passport", { code }), { method: "DELETE", credentials: "same-origin" });
  await api("/logout", { method: "POST", noRedirect: true }).catch(() => undefined);
}

/** Whether the page runs in an iframe of another site (the /embed.js bubble). */
function framedByAnotherSite(): boolean {
  if (window.top === window.self) return false;
  try {
    return window.top!.location.origin !== location.origin;
  } catch {
    return true; // reading another origin's location throws
  }
}

/**
 * In a third-party iframe the browser neither stores nor sends a SameSite=Strict cookie, so the
 * chatbot there takes its passport from GET /api/passport (Dify's own wire) and keeps it in memory
 * only. What it keeps is a random session id (the embedding page's sys.user_id when it gives one)
 * in the iframe's storage, which browsers partition per embedding site: the visitor keeps their
 * conversations on that site, and no other site can use them.
 */
async function framedPassport(options: SessionOptions, accessMode: string): Promise<string> {
  const key = `session-${options.code}`;
  let sessionId = options.userId || null;
  if (!sessionId) {
    try {
      sessionId = localStorage.getItem(key);
      if (!sessionId) localStorage.setItem(key, (sessionId = crypto.randomUUID()));
    } catch {
      sessionId = null; // no storage: a fresh anonymous end user for this visit
    }
  }
  const { access_token: token } = await api<{ access_token: string }>("/passport", { query: { user_id: sessionId ?? undefined } });
  setHeaderPassport(token);
  return accessMode;
}
