// Starts a throw-away `wrangler dev` on loopback (own persistence dir, own secrets via --env-file,
// explicit ports) for the benchmark and the end-to-end tests.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, quietEnv, root, waitForHealth, wranglerBin } from "./local.mjs";

export async function startServer({ vars = {}, logLevel = "warn" } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "dify-web-api-"));
  const persist = path.join(dir, "state");
  const adminKey = `admin-${Math.random().toString(36).slice(2)}`;
  const secretKey = `secret-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  const envFile = path.join(dir, "server.env");
  const allVars = { SECRET_KEY: secretKey, ADMIN_API_KEY: adminKey, LOG_LEVEL: "warn", ...vars };
  writeFileSync(envFile, Object.entries(allVars).map(([k, v]) => `${k}=${v}`).join("\n"));
  const migrate = spawnSync(wranglerBin, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persist], {
    cwd: root,
    env: quietEnv,
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr || migrate.stdout}`);
  const port = await freePort();
  const inspectorPort = await freePort();
  const child = spawn(
    wranglerBin,
    ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", persist,
      "--env-file", envFile, "--log-level", logLevel, "--show-interactive-dev-session=false"],
    { cwd: root, env: quietEnv, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  let exited = false;
  const exitPromise = new Promise((resolve) => child.on("exit", () => ((exited = true), resolve())));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base, 90_000, () => !exited);
  } catch (err) {
    throw new Error(`${err.message}\n${output}`);
  }
  return {
    base,
    adminKey,
    secretKey,
    pid: child.pid,
    output: () => output,
    async stop() {
      if (!exited) {
        process.kill(-child.pid, "SIGINT");
        const timer = setTimeout(() => !exited && process.kill(-child.pid, "SIGKILL"), 5000);
        await exitPromise;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function importApp(server, yaml) {
  const res = await fetch(`${server.base}/admin/apps/import`, {
    method: "POST",
    headers: { Authorization: `Bearer ${server.adminKey}`, "Content-Type": "application/yaml" },
    body: yaml,
  });
  const body = await res.json();
  if (res.status !== 201) throw new Error(`import failed: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

export async function getPassport(server, code, userId) {
  const res = await fetch(`${server.base}/api/passport${userId ? `?user_id=${encodeURIComponent(userId)}` : ""}`, { headers: { "X-App-Code": code } });
  if (res.status !== 200) throw new Error(`passport failed: ${res.status} ${await res.text()}`);
  return (await res.json()).access_token;
}
