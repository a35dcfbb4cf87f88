// Builds the Hono app: middleware chain, routers, error envelope. Order: request id/config →
// CORS → routes (auth per router) → onError/notFound.
import { Hono } from "hono";
import type { AppEnv } from "./http/context";
import { jsonBodyLimit } from "./http/body-limit";
import { webCors } from "./http/cors";
import { errorResponse, notFoundResponse } from "./http/error-handler";
import { requestContext } from "./http/request-context";
import { adminRoutes } from "./routes/admin";
import { appInfoRoutes } from "./routes/app-info";
import { audioRoutes } from "./routes/audio";
import { benchRoutes } from "./routes/bench";
import { chatRoutes } from "./routes/chat";
import { completionRoutes } from "./routes/completion";
import { consoleRoutes } from "./routes/console";
import { conversationRoutes } from "./routes/conversations";
import { docsRoutes } from "./routes/docs";
import { filePreviewRoutes, fileUploadRoutes } from "./routes/files";
import { forgotPasswordRoutes } from "./routes/forgot-password";
import { humanInputFormRoutes } from "./routes/human-input-form";
import { loginRoutes } from "./routes/login";
import { messageRoutes } from "./routes/messages";
import { pageRoutes } from "./routes/pages";
import { passportRoutes } from "./routes/passport";
import { remoteFileRoutes } from "./routes/remote-files";
import { savedMessageRoutes } from "./routes/saved-messages";
import { toolIconRoutes } from "./routes/tool-icons";
import { webappRoutes } from "./routes/webapp";
import { workflowRoutes } from "./routes/workflows";

export function buildApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", requestContext);
  app.use("/api/*", webCors);
  app.use("/files/*", webCors);
  app.use("/console/api/*", webCors);
  app.use("/api/*", jsonBodyLimit);
  app.use("/console/api/*", jsonBodyLimit);

  app.get("/health", (c) => c.json({ status: "ok" }));
  app.route("/api", passportRoutes);
  app.route("/api", appInfoRoutes as unknown as Hono<AppEnv>);
  app.route("/api", chatRoutes as unknown as Hono<AppEnv>);
  app.route("/api", conversationRoutes as unknown as Hono<AppEnv>);
  app.route("/api", messageRoutes as unknown as Hono<AppEnv>);
  app.route("/api", completionRoutes as unknown as Hono<AppEnv>);
  app.route("/api", workflowRoutes as unknown as Hono<AppEnv>);
  app.route("/api", humanInputFormRoutes);
  app.route("/api", savedMessageRoutes as unknown as Hono<AppEnv>);
  app.route("/api", loginRoutes);
  app.route("/api", forgotPasswordRoutes);
  app.route("/api", webappRoutes);
  app.route("/console/api", consoleRoutes);
  app.route("/console/api", toolIconRoutes);
  app.route("/api", fileUploadRoutes as unknown as Hono<AppEnv>);
  app.route("/api", remoteFileRoutes as unknown as Hono<AppEnv>);
  app.route("/api", audioRoutes as unknown as Hono<AppEnv>);
  app.route("/", filePreviewRoutes);
  app.route("/admin", adminRoutes);
  app.route("/bench", benchRoutes);
  app.route("/", docsRoutes(() => app));
  app.route("/", pageRoutes(() => app));

  app.onError(errorResponse);
  app.notFound(notFoundResponse);
  return app;
}
