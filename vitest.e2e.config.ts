import { defineConfig } from "vitest/config";

// Node-side end-to-end tests: they start real `wrangler dev` processes and talk HTTP on 127.0.0.1.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
