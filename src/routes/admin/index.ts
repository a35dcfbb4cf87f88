import { Hono } from "hono";
import { adminAuth } from "../../http/admin-auth";
import type { AppEnv } from "../../http/context";
import { adminAppRoutes } from "./apps";
import { modelProviderRoutes } from "./model-providers";

export const adminRoutes = new Hono<AppEnv>();
adminRoutes.use("*", adminAuth);
adminRoutes.route("/", adminAppRoutes);
adminRoutes.route("/", modelProviderRoutes);
