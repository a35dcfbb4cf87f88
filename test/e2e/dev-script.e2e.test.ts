// `npm run dev -- --port N`: the documented local set-up seeds the demo apps idempotently and
// prints share codes whose passport curl works.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort, root } from "../../scripts/lib/local.mjs";

const persist = mkdtempSync(path.join(tmpdir(), "dify-dev-e2e-"));
afterAll(() => rmSync(persist, { recursive: true, force: true }));

async function runDev(port: number): Promise<{ child: ChildProcess; output: string }> {
  const child = spawn(process.execPath, ["scripts/dev.mjs", "--port", String(port), "--persist-to", persist], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dev script not ready:\n${output}`)), 90_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (/API docs: /.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("exit", (code) => reject(new Error(`dev script exited ${code}:\n${output}`)));
  });
  return { child, output };
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid!, "SIGINT");
  await exited;
}

const codesOf = (output: string) => [...output.matchAll(/share code ([A-Za-z0-9]{16})/g)].map((m) => m[1]);

describe("npm run dev", () => {
  it("seeds the demo apps once and prints working passport curls", async () => {
    const port = await freePort();
    const first = await runDev(port);
    let codes: string[];
    try {
      codes = codesOf(first.output);
      expect(codes).toHaveLength(readdirSync(path.join(root, "demo-apps")).filter((f) => f.endsWith(".yml")).length);
      expect(first.output).toContain(`curl -s -H 'X-App-Code: ${codes[0]}' http://127.0.0.1:${port}/api/passport`);
      for (const code of codes) {
        const res = await fetch(`http://127.0.0.1:${port}/api/passport`, { headers: { "X-App-Code": code } });
        expect(res.status).toBe(200);
        const { access_token } = (await res.json()) as { access_token: string };
        const site = await fetch(`http://127.0.0.1:${port}/api/site`, { headers: { "X-App-Code": code, "X-App-Passport": access_token } });
        expect(site.status).toBe(200);
      }
    } finally {
      await stop(first.child);
    }
    // A second start over the same state imports nothing new: the same apps, the same codes.
    const second = await runDev(port);
    try {
      expect(codesOf(second.output)).toEqual(codes);
    } finally {
      await stop(second.child);
    }
  });
});
