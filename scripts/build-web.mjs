#!/usr/bin/env node
// Builds the end-user pages (web/src) into Workers Static Assets (web/dist): hashed ES modules
// with shared chunks, one HTML shell per page that loads them (no inline script, so the strict
// Content-Security-Policy holds), /embed.js, and the Swagger UI bundle for /docs. Prints each
// page's first-load JavaScript gzipped and fails when one is over the 100 KB budget.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "..");
const src = path.join(root, "web/src");
const out = path.join(root, "web/dist");
const assets = path.join(out, "assets");
const BUDGET_BYTES = 100 * 1024;

// Page shells: the file the worker serves for each page path (src/routes/pages.ts), and its entry.
const PAGES = {
  chat: { entry: "entries/chat.tsx", title: "Chat" },
  completion: { entry: "entries/completion.tsx", title: "Text generator" },
  workflow: { entry: "entries/workflow.tsx", title: "Workflow" },
  form: { entry: "entries/form.tsx", title: "Form" },
  signin: { entry: "entries/signin.tsx", title: "Sign in" },
  // Swagger UI brings its own styles (and class names such as .btn that ours would restyle).
  docs: { entry: "entries/docs.ts", title: "API reference", css: ["assets/swagger/swagger-ui.css"], scripts: ["assets/swagger/swagger-ui-bundle.js"], ownCss: false },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const started = performance.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(Object.entries(PAGES).map(([name, page]) => [name, path.join(src, page.entry)]).concat([["app", path.join(src, "styles.css")]])),
  outdir: assets,
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  target: "es2022",
  minify: true,
  metafile: true,
  jsx: "automatic",
  jsxImportSource: "hono/jsx/dom",
  legalComments: "none",
  logLevel: "warning",
});

// The embed script is pasted into other sites as a classic <script>: one self-contained IIFE, and
// under Dify's name /embed.min.js too so Dify's snippet works by changing only the host.
await build({ absWorkingDir: root, entryPoints: [path.join(src, "embed.ts")], outfile: path.join(out, "embed.js"), bundle: true, format: "iife", target: "es2020", minify: true, logLevel: "warning" });
copyFileSync(path.join(out, "embed.js"), path.join(out, "embed.min.js"));

const swagger = path.join(root, "node_modules/swagger-ui-dist");
mkdirSync(path.join(assets, "swagger"), { recursive: true });
for (const file of ["swagger-ui-bundle.js", "swagger-ui.css"]) copyFileSync(path.join(swagger, file), path.join(assets, "swagger", file));

const outputs = result.metafile.outputs;
const rel = (file) => path.relative(out, path.join(root, file)).split(path.sep).join("/");
const outputOf = (name) => Object.keys(outputs).find((file) => outputs[file].entryPoint && path.basename(file).startsWith(`${name}-`) && file.endsWith(".js"));
const cssOutput = Object.keys(outputs).find((file) => path.basename(file).startsWith("app-") && file.endsWith(".css"));

/** The entry and every chunk it imports statically: what the first load downloads. */
function staticClosure(file, seen = new Set()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const imp of outputs[file].imports) if (imp.kind === "import-statement") staticClosure(imp.path, seen);
  return seen;
}

const escape = (s) => s.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]);
const report = [];
let overBudget = false;
for (const [name, page] of Object.entries(PAGES)) {
  const entry = outputOf(name);
  const closure = [...staticClosure(entry)];
  const preloads = closure.filter((f) => f !== entry).map((f) => `<link rel="modulepreload" href="/${rel(f)}">`);
  const styles = [...(page.css ?? []).map((href) => `/${href}`), ...(page.ownCss === false ? [] : [`/${rel(cssOutput)}`])].map((href) => `<link rel="stylesheet" href="${href}">`);
  const classic = (page.scripts ?? []).map((s) => `<script src="/${s}" defer></script>`);
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="strict-origin-when-cross-origin">
<title>${escape(page.title)}</title>
${styles.join("\n")}
${preloads.join("\n")}
${classic.join("\n")}
<script type="module" src="/${rel(entry)}"></script>
</head>
<body>
<div id="root" class="root"><div class="boot" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span></div></div>
<noscript>This page needs JavaScript.</noscript>
</body>
</html>
`;
  writeFileSync(path.join(out, `_shell-${name}.html`), html);
  const gz = closure.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(root, f)), { level: 9 }).length, 0);
  const raw = closure.reduce((sum, f) => sum + outputs[f].bytes, 0);
  const counted = name !== "docs"; // the API reference is for developers, not an end-user page
  if (counted && gz > BUDGET_BYTES) overBudget = true;
  report.push(`  ${name.padEnd(11)} ${(gz / 1024).toFixed(1).padStart(6)} KB gzipped (${(raw / 1024).toFixed(1)} KB raw, ${closure.length} file${closure.length > 1 ? "s" : ""})${counted ? "" : " + Swagger UI, not budgeted"}`);
}
const embedGz = gzipSync(readFileSync(path.join(out, "embed.js")), { level: 9 }).length;
report.push(`  embed.js    ${(embedGz / 1024).toFixed(1).padStart(6)} KB gzipped`);

// Static asset headers: hashed files are immutable; nothing is sniffed. (The HTML shells are only
// served through the worker, which sets each page's CSP: wrangler.toml routes /_shell-* to it.)
writeFileSync(
  path.join(out, "_headers"),
  `/assets/*
  Cache-Control: public, max-age=31536000, immutable
  X-Content-Type-Options: nosniff
/embed.js
  Cache-Control: public, max-age=300
  X-Content-Type-Options: nosniff
/embed.min.js
  Cache-Control: public, max-age=300
  X-Content-Type-Options: nosniff
`,
);

console.log(`web pages built into web/dist in ${Math.round(performance.now() - started)} ms; first-load JavaScript per page (budget ${BUDGET_BYTES / 1024} KB gzipped):\n${report.join("\n")}`);
if (overBudget) {
  console.error("A page is over its JavaScript budget.");
  process.exit(1);
}
