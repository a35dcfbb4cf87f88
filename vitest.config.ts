import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Worker tests run inside workerd with real local D1, R2, KV and Durable Objects.
export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations(path.join(import.meta.dirname, "migrations")),
          SECRET_KEY: "test-secret-key-0123456789abcdef",
          ADMIN_API_KEY: "test-admin-key",
          LOG_LEVEL: "warn",
        },
        // Any outbound request a test did not stub ends here, in Node: nothing reaches the network.
        outboundService: (request: Request) =>
          new Response(`unexpected outbound request: ${request.method} ${request.url}`, { status: 599 }),
      },
    })),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/e2e/**"],
    setupFiles: ["./test/helpers/apply-migrations.ts"],
    testTimeout: 20_000,
  },
});
