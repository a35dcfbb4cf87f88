#!/usr/bin/env node
// `npm run bench`: starts a local server (wrangler dev on loopback) and prints figures; it asserts
// nothing. Read endpoints are compared with a bare route on the same server; chat streaming is
// measured against a fake OpenAI-compatible model on loopback whose own delays are known.
import { readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { startFakeOpenAI } from "./lib/fake-openai-server.mjs";
import { root } from "./lib/local.mjs";
import { getPassport, importApp, startServer } from "./lib/server.mjs";
import { sseEvents } from "./lib/sse-client.mjs";

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const TTFT_REQUESTS = Number(process.env.BENCH_TTFT_REQUESTS ?? 40);
const FIRST_TOKEN_DELAY_MS = 200;
const LONG_STREAM_TOKENS = Number(process.env.BENCH_LONG_STREAM_TOKENS ?? 5000);
const CONCURRENT_STREAMS = Number(process.env.BENCH_CONCURRENT_STREAMS ?? 200);

function load(url, headers = {}) {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, connections: CONNECTIONS, duration: DURATION }, (err, result) => (err ? reject(err) : resolve(result)));
  });
}

function loadRow(name, result, baseline) {
  const rps = result.requests.average;
  return {
    route: name,
    "req/s": Math.round(rps),
    "p50 ms": result.latency.p50,
    "p99 ms": result.latency.p99,
    errors: result.errors + result.non2xx,
    "throughput vs /health": baseline ? (rps / baseline.requests.average).toFixed(2) : "1.00",
    "p50 vs /health": baseline ? (result.latency.p50 / Math.max(baseline.latency.p50, 0.001)).toFixed(2) : "1.00",
  };
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function readAll(res) {
  let events = 0;
  let answer = "";
  let last = null;
  for await (const event of sseEvents(res.body)) {
    events++;
    if (event.event === "message") answer += event.answer;
    last = event;
  }
  return { events, answer, last };
}

const server = await startServer();
const fake = await startFakeOpenAI();
try {
  const chatYaml = readFileSync(path.join(root, "demo-apps/chat.yml"), "utf8");
  const app = await importApp(server, chatYaml.replace("provider: echo", "provider: openai"));
  await fetch(`${server.base}/admin/model-providers/openai`, {
    method: "PUT",
    headers: { Authorization: `Bearer ${server.adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ type: "openai-compatible", base_url: fake.baseUrl, api_key: "sk-bench" }),
  });
  const token = await getPassport(server, app.site_code, "bench-user");
  const headers = { "X-App-Code": app.site_code, "X-App-Passport": token };
  const chat = (query) =>
    fetch(`${server.base}/api/chat-messages`, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/json" },
      body: JSON.stringify({ inputs: {}, query, response_mode: "streaming", conversation_id: "" }),
    });
  console.log(`Benchmark on ${server.base} (wrangler dev --local, loopback), fake model on ${fake.baseUrl}\n`);

  console.log(`Read endpoints: ${CONNECTIONS} connections, ${DURATION}s each`);
  await load(`${server.base}/health`); // warm-up
  const health = await load(`${server.base}/health`);
  const parameters = await load(`${server.base}/api/parameters`, headers);
  const site = await load(`${server.base}/api/site`, headers);
  console.table([loadRow("GET /health (bare route)", health), loadRow("GET /api/parameters", parameters, health), loadRow("GET /api/site", site, health)]);

  // Time to first SSE event, minus the fake model's own first-token delay.
  fake.state.scenario = { tokens: ["one", " two", " three"], firstTokenDelayMs: FIRST_TOKEN_DELAY_MS, delayMs: 1 };
  const overheads = [];
  let ttftErrors = 0;
  for (let i = 0; i < TTFT_REQUESTS; i++) {
    const started = performance.now();
    const res = await chat(`ttft ${i}`);
    if (res.status !== 200) {
      ttftErrors++;
      continue;
    }
    let first = null;
    for await (const event of sseEvents(res.body)) {
      first ??= performance.now();
      if (event.event === "message_end" || event.event === "error") break;
    }
    overheads.push(first - started - FIRST_TOKEN_DELAY_MS);
  }
  console.log(`\nPOST /api/chat-messages time to first event minus the model's ${FIRST_TOKEN_DELAY_MS} ms (${TTFT_REQUESTS} sequential requests)`);
  console.table([{ "p50 ms": percentile(overheads, 50).toFixed(1), "p95 ms": percentile(overheads, 95).toFixed(1), "max ms": Math.max(...overheads).toFixed(1), errors: ttftErrors }]);

  // Relay throughput of one long stream (the fake sends as fast as it can).
  fake.state.scenario = { tokens: Array.from({ length: LONG_STREAM_TOKENS }, (_, i) => ` ${i}`), firstTokenDelayMs: 0, delayMs: 0 };
  const relayStart = performance.now();
  const long = await readAll(await chat("long stream"));
  const relaySeconds = (performance.now() - relayStart) / 1000;
  console.log(`\nOne long stream: ${LONG_STREAM_TOKENS} tokens relayed through the TaskRunner`);
  console.table([{ events: long.events, seconds: relaySeconds.toFixed(2), "events/s": Math.round(long.events / relaySeconds), "ended with": long.last?.event }]);

  // Concurrent streams held open at once.
  fake.state.scenario = { tokens: Array.from({ length: 20 }, (_, i) => ` c${i}`), firstTokenDelayMs: 500, delayMs: 100 };
  const concurrentStart = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CONCURRENT_STREAMS }, async (_, i) => {
      const res = await chat(`concurrent ${i}`);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      const read = await readAll(res);
      if (read.last?.event !== "message_end" || read.answer.split(" c").length !== 21) throw new Error(`incomplete stream (${read.last?.event})`);
    }),
  );
  const failed = results.filter((r) => r.status === "rejected");
  console.log(`\n${CONCURRENT_STREAMS} concurrent streams (20 tokens over ~2.4 s each)`);
  console.table([{ streams: CONCURRENT_STREAMS, completed: results.length - failed.length, errors: failed.length, "wall s": ((performance.now() - concurrentStart) / 1000).toFixed(2) }]);
  if (failed.length) console.log(`first error: ${failed[0].reason?.message}`);
} finally {
  await server.stop();
  await fake.close();
}
