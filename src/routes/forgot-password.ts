// Web-app password reset (spec dify-web-auth.md §4.6–4.8): POST /api/forgot-password, /validity and
// /resets. Dify's client starts the reset at the console path, so /console/api/forgot-password is the
// same handler (mounted by routes/console.ts).
import { Hono } from "hono";
import { createFactory } from "hono/factory";
import type { AppEnv } from "../http/context";
import { Forbidden, PasswordMismatch } from "../lib/errors";
import { clientIp, signInDeps } from "../http/sign-in";
import { doc, validate } from "../http/validate";
import { resetBody, resetValidityBody, sendCodeBody, sendCodeResponse, successResponse, resetValidityResponse } from "../schemas/auth";
import { sendCode } from "../services/auth/code-delivery";
import { mailLanguage } from "../services/auth/mail/auth-messages";
import { checkResetCode, resetWithToken } from "../services/auth/password-reset";

const factory = createFactory<AppEnv>();
const tags = ["sign-in"];

// Dify gates the whole reset flow on password sign-in being enabled (403 forbidden otherwise).
const passwordLoginEnabled = factory.createMiddleware(async (c, next) => {
  if (!c.get("config").auth.emailPasswordLogin) throw new Forbidden();
  await next();
});

export const sendResetCodeHandlers = factory.createHandlers(
  doc({
    summary: "Mail a password reset code",
    description: "Answers the same for unknown addresses (no mail is sent then), so it does not reveal which accounts exist.",
    tags,
    security: "none",
    responses: { 200: { description: "Token for the validity step", schema: sendCodeResponse } },
  }),
  passwordLoginEnabled,
  validate("json", sendCodeBody),
  async (c) => {
    const body = c.req.valid("json");
    const token = await sendCode(signInDeps(c), { purpose: "reset", email: body.email, language: mailLanguage(body.language), ip: clientIp(c) });
    return c.json({ result: "success", data: token });
  },
);

export const forgotPasswordRoutes = new Hono<AppEnv>();

forgotPasswordRoutes.post("/forgot-password", ...sendResetCodeHandlers);

forgotPasswordRoutes.post(
  "/forgot-password/validity",
  doc({
    summary: "Check a reset code; returns the token that may set the new password",
    tags,
    security: "none",
    responses: { 200: { description: "Second-phase token", schema: resetValidityResponse } },
  }),
  passwordLoginEnabled,
  validate("json", resetValidityBody),
  async (c) => {
    const result = await checkResetCode(signInDeps(c), c.req.valid("json"));
    return c.json({ is_valid: true, email: result.email, token: result.token });
  },
);

forgotPasswordRoutes.post(
  "/forgot-password/resets",
  doc({ summary: "Set a new password with the second-phase token", tags, security: "none", responses: { 200: { description: "Done", schema: successResponse } } }),
  passwordLoginEnabled,
  validate("json", resetBody),
  async (c) => {
    const body = c.req.valid("json");
    if (body.new_password !== body.password_confirm) throw new PasswordMismatch();
    await resetWithToken(signInDeps(c), { token: body.token, password: body.new_password });
    return c.json({ result: "success" });
  },
);
