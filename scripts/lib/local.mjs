// Shared helpers of the Node-side scripts (dev, app:import, bench): local settings, ports, health.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const root = path.resolve(import.meta.dirname, "../..");
export const wranglerBin = path.join(root, "node_modules/.bin/wrangler");

/** Keeps wrangler off the network: no metrics, no cf.json fetch, no update check. */
export const quietEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  WRANGLER_SEND_ERROR_REPORTS: "false",
};

export function parseDevVars(text) {
  const vars = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (!match) continue;
    vars[match[1]] = match[2].replace(/^"(.*)"$/, "$1").replace(/^'(.*)'$/, "$1");
  }
  return vars;
}

/** Creates .dev.vars from .dev.vars.example with random SECRET_KEY and ADMIN_API_KEY when missing. */
export function ensureDevVars() {
  const file = path.join(root, ".dev.vars");
  if (existsSync(file)) {
    const vars = parseDevVars(readFileSync(file, "utf8"));
    if (vars.SECRET_KEY && vars.ADMIN_API_KEY) return { created: false, vars };
  }
  const example = readFileSync(path.join(root, ".dev.vars.example"), "utf8");
  const text = example
    .replace(/^SECRET_KEY=.*$/m, `SECRET_KEY=${randomBytes(32).toString("hex")}`)
    .replace(/^ADMIN_API_KEY=.*$/m, `ADMIN_API_KEY=${randomBytes(24).toString("hex")}`);
  writeFileSync(file, text, { mode: 0o600 });
  return { created: true, vars: parseDevVars(text) };
}

export function readDevVars() {
  const file = path.join(root, ".dev.vars");
  return existsSync(file) ? parseDevVars(readFileSync(file, "utf8")) : {};
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

export async function waitForHealth(base, timeoutMs = 60_000, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error("the server exited before it became ready");
    try {
      const res = await fetch(`${base}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no answer from ${base}/health within ${timeoutMs / 1000}s`);
}

/** Value of `--name value` or `--name=value` in args, and args without it. */
export function takeFlag(args, names) {
  const rest = [];
  let value;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (names.includes(name)) {
      value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    } else {
      rest.push(arg);
    }
  }
  return { value, rest };
}

export async function adminFetch(base, key, pathname, init = {}) {
  const res = await fetch(`${base}${pathname}`, { ...init, headers: { Authorization: `Bearer ${key}`, ...(init.headers ?? {}) } });
  const text = await res.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body };
}
