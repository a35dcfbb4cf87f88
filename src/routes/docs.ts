// GET /api/openapi.json (OpenAPI 3.1 generated from the routes' zod schemas) and GET /docs
// (a self-contained HTML rendering of it: no CDN, works offline under `wrangler dev`).
import { Hono } from "hono";
import type { AppEnv } from "../http/context";
import { buildOpenApi } from "../http/openapi";
import { DIFY_COMPAT_VERSION } from "../http/request-context";

type Json = Record<string, any>;

const escape = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

function renderDocs(spec: Json): string {
  const sections: string[] = [];
  for (const [path, methods] of Object.entries(spec.paths as Json)) {
    for (const [method, op] of Object.entries(methods as Json)) {
      const params = (op.parameters ?? []) as Json[];
      const paramRows = params
        .map((p) => `<tr><td><code>${escape(p.name)}</code></td><td>${escape(p.in)}</td><td>${p.required ? "yes" : ""}</td><td><code>${escape(JSON.stringify(p.schema))}</code></td></tr>`)
        .join("");
      const body = op.requestBody ? `<h4>Body</h4><pre>${escape(JSON.stringify(op.requestBody.content, null, 2))}</pre>` : "";
      const responses = Object.entries(op.responses as Json)
        .filter(([status]) => status !== "default")
        .map(([status, res]) => `<li><b>${escape(status)}</b> ${escape((res as Json).description)}${(res as Json).content ? `<pre>${escape(JSON.stringify((res as Json).content, null, 2))}</pre>` : ""}</li>`)
        .join("");
      sections.push(
        `<section><h3><span class="m">${escape(method.toUpperCase())}</span> <code>${escape(path)}</code></h3><p>${escape(op.summary)}</p>` +
          (paramRows ? `<table><tr><th>name</th><th>in</th><th>required</th><th>schema</th></tr>${paramRows}</table>` : "") +
          `${body}<h4>Responses</h4><ul>${responses}<li>errors: <code>{"code","message","status"}</code></li></ul></section>`,
      );
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(spec.info.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
section{border-top:1px solid #ddd;padding:.5rem 0}.m{display:inline-block;min-width:4.5rem;color:#0b5}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;font-size:12px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left}</style>
</head><body><h1>${escape(spec.info.title)}</h1><p>Version ${escape(spec.info.version)} · machine-readable: <a href="/api/openapi.json">/api/openapi.json</a></p>
<p>App endpoints take the passport from <code>GET /api/passport</code> in <code>X-App-Passport</code> (or <code>Authorization: Bearer</code>); admin endpoints take <code>Authorization: Bearer &lt;ADMIN_API_KEY&gt;</code>.</p>
${sections.join("\n")}</body></html>`;
}

export function docsRoutes(appForSpec: () => Hono<any>): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  let spec: Json | undefined;
  const getSpec = () => (spec ??= buildOpenApi(appForSpec(), { title: "Dify Web API on Cloudflare Workers", version: DIFY_COMPAT_VERSION }));
  routes.get("/api/openapi.json", (c) => c.json(getSpec()));
  routes.get("/docs", (c) => c.html(renderDocs(getSpec())));
  return routes;
}
