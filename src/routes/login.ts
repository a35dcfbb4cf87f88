// Web-app sign-in (spec dify-web-auth.md §4.1–4.5): POST /api/login, GET /api/login/status,
// POST /api/logout, POST /api/email-code-login and POST /api/email-code-login/validity.
import { Hono } from "hono";
import { getDb } from "../db/client";
import { authenticatePassport } from "../http/auth";
import type { AppEnv } from "../http/context";
import { AuthenticationFailed, EmailCodeError, Forbidden, InvalidParam } from "../lib/errors";
import { appPassportFor, clearLoginCookie, clientIp, decodeBase64Field, extractLoginToken, signInDeps } from "../http/sign-in";
import { doc, validate } from "../http/validate";
import {
  codeLoginBody,
  loginBody,
  loginResponse,
  loginStatusQuery,
  loginStatusResponse,
  sendCodeBody,
  sendCodeResponse,
  successResponse,
} from "../schemas/auth";
import { getAppContextByCode } from "../services/apps/app-registry";
import { sendCode } from "../services/auth/code-delivery";
import { verifyLoginToken } from "../services/auth/login-tokens";
import { mailLanguage } from "../services/auth/mail/auth-messages";
import { PASSWORD_MAX_LENGTH, PASSWORD_RULE, PASSWORD_RULE_MESSAGE } from "../services/auth/passwords";
import { codeLogin, passwordLogin } from "../services/auth/web-login";

export const loginRoutes = new Hono<AppEnv>();
const tags = ["sign-in"];

loginRoutes.post(
  "/login",
  doc({ summary: "Sign in with email and password", tags, security: "none", responses: { 200: { description: "Login token", schema: loginResponse } } }),
  validate("json", loginBody),
  async (c) => {
    if (!c.get("config").auth.emailPasswordLogin) throw new Forbidden();
    const body = c.req.valid("json");
    const password = decodeBase64Field(body.password);
    if (password === null) throw new AuthenticationFailed("Invalid encrypted data");
    if (password.length > PASSWORD_MAX_LENGTH || !PASSWORD_RULE.test(password)) throw new InvalidParam(`password: ${PASSWORD_RULE_MESSAGE}`, "password");
    const accessToken = await passwordLogin(signInDeps(c), { email: body.email, password });
    return c.json({ result: "success", data: { access_token: accessToken } });
  },
);

loginRoutes.get(
  "/login/status",
  doc({
    summary: "Whether the browser holds a valid login token and a valid passport for the app",
    description: "Always 200: failures read as false, because Dify's client cannot handle an error here.",
    tags,
    security: "none",
    responses: { 200: { description: "Status", schema: loginStatusResponse } },
  }),
  validate("query", loginStatusQuery),
  async (c) => {
    const { app_code: appCode, user_id: userId } = c.req.valid("query");
    const config = c.get("config");
    const db = getDb(c.env.DB);
    const loginToken = extractLoginToken(c);
    const loginValid = loginToken ? await verifyLoginToken(db, config.secretKey, loginToken).then(() => true, () => false) : false;
    if (!appCode) return c.json({ logged_in: loginValid, app_logged_in: false });
    const ctx = await getAppContextByCode(db, appCode, config.cacheTtlSeconds);
    // A public app needs no sign-in: the client then just fetches an anonymous passport.
    const loggedIn = ctx?.app.accessMode === "public" || loginValid;
    const passport = appPassportFor(c, appCode);
    const appLoggedIn =
      !!ctx &&
      !!passport &&
      (await authenticatePassport(c.env, config, passport, appCode).then(
        // An anonymous passport must belong to the browser session the client names.
        (session) => !userId || session.passport.token_source === "webapp" || session.endUser.sessionId === userId,
        () => false,
      ));
    return c.json({ logged_in: loggedIn, app_logged_in: appLoggedIn });
  },
);

loginRoutes.post(
  "/logout",
  doc({ summary: "Sign out: clears the webapp_access_token cookie", tags, security: "none", responses: { 200: { description: "Done", schema: successResponse } } }),
  (c) => {
    clearLoginCookie(c, c.get("config").auth.cookieDomain);
    return c.json({ result: "success" });
  },
);

loginRoutes.post(
  "/email-code-login",
  doc({
    summary: "Mail a sign-in code",
    description: "Answers the same for unknown addresses (no mail is sent then), so it does not reveal which accounts exist.",
    tags,
    security: "none",
    responses: { 200: { description: "Token for the validity step", schema: sendCodeResponse } },
  }),
  validate("json", sendCodeBody),
  async (c) => {
    if (!c.get("config").auth.emailCodeLogin) throw new Forbidden();
    const body = c.req.valid("json");
    const token = await sendCode(signInDeps(c), { purpose: "login", email: body.email, language: mailLanguage(body.language), ip: clientIp(c) });
    return c.json({ result: "success", data: token });
  },
);

loginRoutes.post(
  "/email-code-login/validity",
  doc({ summary: "Sign in with a mailed code", tags, security: "none", responses: { 200: { description: "Login token", schema: loginResponse } } }),
  validate("json", codeLoginBody),
  async (c) => {
    if (!c.get("config").auth.emailCodeLogin) throw new Forbidden();
    const body = c.req.valid("json");
    const code = decodeBase64Field(body.code);
    if (code === null) throw new EmailCodeError("Invalid encrypted code");
    const accessToken = await codeLogin(signInDeps(c), { email: body.email, code, token: body.token });
    return c.json({ result: "success", data: { access_token: accessToken } });
  },
);
