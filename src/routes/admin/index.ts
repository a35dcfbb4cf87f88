import { Hono } from "hono";
import { adminAuth } from "../../http/admin-auth";
import type { AppEnv } from "../../http/context";
import { adminAccessRoutes } from "./access";
import { adminAccountRoutes } from "./accounts";
import { adminAppRoutes } from "./apps";
import { adminGroupRoutes } from "./groups";
import { mcpServerRoutes } from "./mcp-servers";
import { modelProviderRoutes } from "./model-providers";

export const adminRoutes = new Hono<AppEnv>();
adminRoutes.use("*", adminAuth);
adminRoutes.route("/", adminAppRoutes);
adminRoutes.route("/", modelProviderRoutes);
adminRoutes.route("/", adminAccountRoutes);
adminRoutes.route("/", adminGroupRoutes);
adminRoutes.route("/", adminAccessRoutes);
adminRoutes.route("/", mcpServerRoutes);
