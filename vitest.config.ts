import { readFileSync } from "node:fs";
import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Worker tests run inside workerd with real local D1, R2, KV and Durable Objects.
// Every documented variable at its documented default, so a developer's .dev.vars (which the pool
// also loads) cannot change what the tests see.
const documentedDefaults = Object.fromEntries(
  readFileSync(path.join(import.meta.dirname, ".dev.vars.example"), "utf8")
    .split("\n")
    .map((line) => /^([A-Z0-9_]+)=(.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1], m[2]]),
);

/** Forwards a worker's request to a Node-side fake on loopback, as a fresh request (body buffered). */
async function toLoopback(request: Request): Promise<Response> {
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
  return fetch(request.url, { method: request.method, headers: request.headers, body, redirect: "manual" });
}

export default defineConfig({
  plugins: [
    cloudflareTest(async ({ inject }) => ({
      wrangler: { configPath: "./wrangler.toml" },
      // The AI binding is remote-only; tests replace it and must never open a remote session.
      remoteBindings: false,
      miniflare: {
        bindings: {
          ...documentedDefaults,
          ECHO_DELAY_MS: "1",
          // A slow MCP server becomes an agent's observation within seconds, not the default 30.
          MCP_TIMEOUT: "2",
          TEST_MIGRATIONS: await readD1Migrations(path.join(import.meta.dirname, "migrations")),
          SECRET_KEY: "test-secret-key-0123456789abcdef",
          ADMIN_API_KEY: "test-admin-key",
          LOG_LEVEL: "warn",
        },
        // Any outbound request a test did not stub ends here, in Node: nothing reaches the network.
        // Only the fakes of test/global-setup.mjs are reached, on loopback. (A refused connection
        // there would come back as a 500, not as a network error: tests stub fetch for that.)
        outboundService: (request: Request) => {
          const origin = new URL(request.url).origin;
          if (origin === inject("fakeSandboxUrl")) return toLoopback(request);
          return new Response(`unexpected outbound request: ${request.method} ${request.url}`, { status: 599 });
        },
      },
    })),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**"],
    setupFiles: ["./test/helpers/apply-migrations.ts"],
    globalSetup: ["./test/global-setup.mjs"],
    testTimeout: 20_000,
  },
});
