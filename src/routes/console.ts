// The few console-API paths Dify's share pages call (spec dify-web-client.md §2.6, §4.5): system
// features and the start of a password reset are ours under /console/api too. The chat page also asks
// for the console account profile; that answers 404, never 401, which would send the browser to the
// console sign-in page.
import { Hono } from "hono";
import type { AppEnv } from "../http/context";
import { NotFound } from "../lib/errors";
import { doc } from "../http/validate";
import { sendResetCodeHandlers } from "./forgot-password";
import { systemFeaturesHandlers } from "./webapp";

export const consoleRoutes = new Hono<AppEnv>();

consoleRoutes.get("/system-features", ...systemFeaturesHandlers);
consoleRoutes.post("/forgot-password", ...sendResetCodeHandlers);
consoleRoutes.get(
  "/account/profile",
  doc({ summary: "Console account profile: not served (404)", tags: ["sign-in"], security: "none", responses: { 404: { description: "Not found" } } }),
  () => {
    throw new NotFound();
  },
);
