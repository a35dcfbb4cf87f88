#!/usr/bin/env node
// `npm run dev [-- <wrangler dev flags>]`: local API and pages on the embedded default (local D1/R2/KV/DO
// state under .wrangler/). Builds the pages, creates .dev.vars, applies D1 migrations, starts `wrangler dev`, seeds
// the demo apps (idempotent) and prints their share codes with a ready-to-paste passport curl.
import { spawn, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { adminFetch, ensureDevVars, freePort, quietEnv, root, takeFlag, waitForHealth, wranglerBin } from "./lib/local.mjs";

const args = process.argv.slice(2);
const { value: portFlag, rest: afterPort } = takeFlag(args, ["--port", "-p"]);
const { value: ipFlag, rest: afterIp } = takeFlag(afterPort, ["--ip"]);
const { value: inspectorFlag, rest: afterInspector } = takeFlag(afterIp, ["--inspector-port"]);
const { value: persistTo, rest: passthrough } = takeFlag(afterInspector, ["--persist-to"]);
const port = Number(portFlag ?? 8787);
const ip = ipFlag ?? "127.0.0.1";
const persistArgs = persistTo ? ["--persist-to", persistTo] : [];

// The pages are static assets the worker serves: build them first (web/dist, not committed).
const built = spawnSync(process.execPath, [path.join(root, "scripts/build-web.mjs")], { cwd: root, stdio: "inherit" });
if (built.status !== 0) process.exit(built.status ?? 1);

const { created, vars } = ensureDevVars();
if (created) console.log("Created .dev.vars with a random SECRET_KEY and ADMIN_API_KEY.");

const migrate = spawnSync(wranglerBin, ["d1", "migrations", "apply", "DB", "--local", ...persistArgs], {
  cwd: root,
  env: quietEnv,
  stdio: ["ignore", "pipe", "pipe"],
  encoding: "utf8",
});
if (migrate.status !== 0) {
  console.error(migrate.stdout, migrate.stderr);
  process.exit(migrate.status ?? 1);
}
console.log("D1 migrations applied (local).");

const inspectorPort = inspectorFlag ?? String(await freePort());
const child = spawn(
  wranglerBin,
  ["dev", "--local", "--ip", ip, "--port", String(port), "--inspector-port", inspectorPort, ...persistArgs, ...passthrough],
  { cwd: root, env: quietEnv, stdio: "inherit" },
);
let exited = false;
child.on("exit", (code, signal) => {
  exited = true;
  process.exit(code ?? (signal ? 1 : 0));
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill(sig));

const host = ip === "0.0.0.0" || ip === "::" ? "127.0.0.1" : ip.includes(":") ? `[${ip}]` : ip;
const base = `http://${host}:${port}`;
try {
  await waitForHealth(base, 90_000, () => !exited);
  await seedDemoApps(base, vars.ADMIN_API_KEY);
} catch (err) {
  console.error(`Seeding the demo apps failed: ${err.message}`);
}

async function seedDemoApps(base, adminKey) {
  const existing = new Map();
  for (let page = 1; ; page++) {
    const { status, body } = await adminFetch(base, adminKey, `/admin/apps?limit=100&page=${page}`);
    if (status !== 200) throw new Error(`GET /admin/apps answered ${status}: ${JSON.stringify(body)}`);
    for (const app of body.data) existing.set(app.name, app);
    if (!body.has_more) break;
  }
  const demoDir = path.join(root, "demo-apps");
  const lines = [];
  for (const file of readdirSync(demoDir).filter((f) => f.endsWith(".yml")).sort()) {
    const yaml = readFileSync(path.join(demoDir, file), "utf8");
    const name = parse(yaml).app.name;
    let app = existing.get(name);
    if (!app) {
      const { status, body } = await adminFetch(base, adminKey, "/admin/apps/import", {
        method: "POST",
        headers: { "Content-Type": "application/yaml" },
        body: yaml,
      });
      if (status !== 201) throw new Error(`importing ${file} answered ${status}: ${JSON.stringify(body)}`);
      app = { name: body.name, mode: body.mode, site_code: body.site_code };
    }
    const page = app.mode === "completion" ? "completion" : app.mode === "workflow" ? "workflow" : "chat";
    lines.push(`  ${app.name} (${app.mode}): share code ${app.site_code}\n    page: ${base}/${page}/${app.site_code}\n    curl -s -H 'X-App-Code: ${app.site_code}' ${base}/api/passport`);
  }
  console.log(`\nDemo apps (built-in echo model, no API key needed):\n${lines.join("\n")}\nAPI docs: ${base}/docs\n`);
}
