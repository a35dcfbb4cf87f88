// GET /console/api/workspaces/current/tool-provider/builtin/{provider}/icon: the icon URLs that
// GET /api/meta reports for built-in agent tools (Dify serves them from its console API), so the
// web client's tool icons are not broken images. A generated SVG with the provider's initial.
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { doc, validate } from "../http/validate";

export const toolIconRoutes = new Hono<AppEnv>();

const COLORS: Record<string, string> = { time: "#2563EB", code: "#7C3AED", audio: "#DB2777", webscraper: "#059669" };

toolIconRoutes.get(
  "/workspaces/current/tool-provider/builtin/:provider/icon",
  doc({
    summary: "Icon of a built-in tool provider (referenced by /api/meta)",
    tags: ["app"],
    security: "none",
    responses: { 200: { description: "SVG icon", contentType: "image/svg+xml" } },
  }),
  validate("param", z.object({ provider: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/) })),
  (c) => {
    const provider = c.req.valid("param").provider;
    const initial = provider[0].toUpperCase();
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24"><rect width="24" height="24" rx="6" fill="${COLORS[provider] ?? "#475569"}"/><text x="12" y="16.5" text-anchor="middle" font-family="sans-serif" font-size="13" fill="#fff">${initial}</text></svg>`;
    return c.body(svg, 200, { "Content-Type": "image/svg+xml", "Cache-Control": "public, max-age=86400" });
  },
);
