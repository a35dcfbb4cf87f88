#!/usr/bin/env node
// `npm run bench`: starts a local server and measures the hot read endpoints against a bare route
// on the same server, in one run, printing figures and ratios (it asserts nothing).
import { readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { root } from "./lib/local.mjs";
import { getPassport, importApp, startServer } from "./lib/server.mjs";

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);

function run(url, headers = {}) {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

function row(name, result, baseline) {
  const rps = result.requests.average;
  const errors = result.errors + result.non2xx;
  return {
    route: name,
    "req/s": Math.round(rps),
    "p50 ms": result.latency.p50,
    "p99 ms": result.latency.p99,
    errors,
    "throughput vs /health": baseline ? (rps / baseline.requests.average).toFixed(2) : "1.00",
    "p50 vs /health": baseline ? (result.latency.p50 / Math.max(baseline.latency.p50, 0.001)).toFixed(2) : "1.00",
  };
}

const server = await startServer();
try {
  const app = await importApp(server, readFileSync(path.join(root, "demo-apps/chat.yml"), "utf8"));
  const token = await getPassport(server, app.site_code, "bench-user");
  const headers = { "X-App-Code": app.site_code, "X-App-Passport": token };
  console.log(`Benchmark: ${CONNECTIONS} connections, ${DURATION}s per route, wrangler dev on ${server.base} (loopback)\n`);
  // Warm up isolates and caches so the first route is not penalised.
  await run(`${server.base}/health`);
  const health = await run(`${server.base}/health`);
  const parameters = await run(`${server.base}/api/parameters`, headers);
  const site = await run(`${server.base}/api/site`, headers);
  console.table([row("GET /health (bare route)", health), row("GET /api/parameters", parameters, health), row("GET /api/site", site, health)]);
} finally {
  await server.stop();
}
