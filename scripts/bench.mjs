#!/usr/bin/env node
// `npm run bench`: starts a local server (wrangler dev on loopback) and prints figures; it asserts
// nothing. Every figure is measured against a bare route on the same server where one applies (the
// machine is shared and noisy: read the ratios), and printed with its goal beside it. Chat streaming
// runs against a fake OpenAI-compatible model on loopback whose own delays are known.
import { readFileSync } from "node:fs";
import path from "node:path";
import autocannon from "autocannon";
import { stringify } from "yaml";
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
const WORKFLOW_RUNS = Number(process.env.BENCH_WORKFLOW_RUNS ?? 60);
const summary = [];

function load(url, headers = {}, method = "GET", body = undefined) {
  return new Promise((resolve, reject) => {
    autocannon({ url, headers, method, body, connections: CONNECTIONS, duration: DURATION }, (err, result) => (err ? reject(err) : resolve(result)));
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
  };
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const median = (values) => percentile(values, 50);
/** A figure to print; "n/a" when nothing was measured (every run failed: see the errors column). */
const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : "n/a");

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

/** A workflow graph: start → n nodes in a chain (template, if-else, code in turn) → end. */
function workflowYaml(nodes) {
  const chain = [];
  for (let i = 0; i < nodes; i++) {
    const id = `n${i}`;
    const kind = i % 3;
    if (kind === 0) chain.push({ id, type: "custom", data: { type: "template-transform", title: id, variables: [{ variable: "x", value_selector: ["start", "x"] }], template: `{{ x }}-${i}` } });
    else if (kind === 1) chain.push({ id, type: "custom", data: { type: "if-else", title: id, cases: [{ case_id: "true", logical_operator: "and", conditions: [{ variable_selector: ["start", "x"], comparison_operator: "not empty", value: "" }] }] } });
    else chain.push({ id, type: "custom", data: { type: "code", title: id, code_language: "javascript", code: "function main({ x }) { return { y: x.length }; }", variables: [{ variable: "x", value_selector: ["start", "x"] }], outputs: { y: { type: "number" } } } });
  }
  const ids = ["start", ...chain.map((n) => n.id), "end"];
  const edges = [];
  for (let i = 0; i < ids.length - 1; i++) edges.push({ source: ids[i], target: ids[i + 1], sourceHandle: chain[i - 1]?.data.type === "if-else" ? "true" : "source" });
  return stringify({
    app: { name: `Bench workflow ${nodes}`, mode: "workflow", icon: "⚙", icon_type: "emoji" },
    kind: "app",
    version: "0.6.0",
    workflow: {
      features: {},
      environment_variables: [],
      conversation_variables: [],
      graph: {
        nodes: [
          { id: "start", type: "custom", data: { type: "start", title: "start", variables: [{ variable: "x", label: "x", type: "text-input", required: false }] } },
          ...chain,
          { id: "end", type: "custom", data: { type: "end", title: "end", outputs: [{ variable: "x", value_selector: ["start", "x"] }] } },
        ],
        edges,
      },
    },
  });
}

const server = await startServer({ vars: { BENCH_ROUTES: "1" } });
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
  summary.push(`GET /api/parameters: ${(parameters.requests.average / health.requests.average).toFixed(2)}× the bare route's throughput, p50 ${parameters.latency.p50} ms (goal: one D1 round trip at most)`);

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
  summary.push(`time to first event over the model's delay: p50 ${percentile(overheads, 50).toFixed(1)} ms, p95 ${percentile(overheads, 95).toFixed(1)} ms (goal: p50 ≤ 10 ms, p95 ≤ 25 ms; Dify publishes 51 ms p50)`);

  // Relay throughput of one long stream against the bare streaming route on the same server.
  const bareRates = [];
  const relayRates = [];
  let relayEnded = null;
  for (let round = 0; round < 3; round++) {
    let t = performance.now();
    let bare = 0;
    for await (const _ of sseEvents((await fetch(`${server.base}/bench/stream?n=${LONG_STREAM_TOKENS}`)).body)) bare++;
    bareRates.push(bare / ((performance.now() - t) / 1000));
    fake.state.scenario = { tokens: Array.from({ length: LONG_STREAM_TOKENS }, (_, i) => ` ${i}`), firstTokenDelayMs: 0, delayMs: 0 };
    t = performance.now();
    const long = await readAll(await chat("long stream"));
    relayRates.push(long.events / ((performance.now() - t) / 1000));
    relayEnded = long.last?.event;
  }
  console.log(`\nOne long stream: ${LONG_STREAM_TOKENS} tokens relayed through the TaskRunner, against the bare streaming route (median of 3)`);
  console.table([{ "bare frames/s": Math.round(median(bareRates)), "relayed events/s": Math.round(median(relayRates)), ratio: (median(relayRates) / median(bareRates)).toFixed(2), "ended with": relayEnded }]);
  summary.push(`relay: ${Math.round(median(relayRates))} events/s on one stream, ${(median(relayRates) / median(bareRates)).toFixed(2)}× the bare streaming route (goal: ≥ 10,000 events/s and ≥ 0.5×)`);

  // Concurrent streams held open at once, against one stream's own duration.
  fake.state.scenario = { tokens: Array.from({ length: 20 }, (_, i) => ` c${i}`), firstTokenDelayMs: 500, delayMs: 100 };
  const oneStarted = performance.now();
  await readAll(await chat("one"));
  const oneSeconds = (performance.now() - oneStarted) / 1000;
  const concurrentStart = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CONCURRENT_STREAMS }, async (_, i) => {
      const res = await chat(`concurrent ${i}`);
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      const read = await readAll(res);
      if (read.last?.event !== "message_end" || read.answer.split(" c").length !== 21) throw new Error(`incomplete stream (${read.last?.event})`);
    }),
  );
  const wall = (performance.now() - concurrentStart) / 1000;
  const failed = results.filter((r) => r.status === "rejected");
  console.log(`\n${CONCURRENT_STREAMS} concurrent streams (20 tokens over ~2.4 s each)`);
  console.table([{ streams: CONCURRENT_STREAMS, completed: results.length - failed.length, errors: failed.length, "one stream s": oneSeconds.toFixed(2), "wall s": wall.toFixed(2), "wall / one": (wall / oneSeconds).toFixed(2) }]);
  if (failed.length) console.log(`first error: ${failed[0].reason?.message}`);
  summary.push(`${CONCURRENT_STREAMS} concurrent streams: ${failed.length} errors, wall ${(wall / oneSeconds).toFixed(2)}× one stream (goal: 0 errors, ≤ 2×)`);

  // Workflows: an empty one (start → end) and a 20-node chain of template / if-else / code nodes.
  const runWorkflow = async (yaml, count) => {
    const wf = await importApp(server, yaml);
    const wfToken = await getPassport(server, wf.site_code, "bench-user");
    const wfHeaders = { "X-App-Code": wf.site_code, "X-App-Passport": wfToken, "Content-Type": "application/json" };
    const elapsed = [];
    const started = performance.now();
    let errors = 0;
    for (let i = 0; i < count; i++) {
      const res = await fetch(`${server.base}/api/workflows/run`, { method: "POST", headers: wfHeaders, body: JSON.stringify({ inputs: { x: "bench" } }) });
      let finished = null;
      for await (const event of sseEvents(res.body)) if (event.event === "workflow_finished") finished = event.data;
      if (finished?.status !== "succeeded") errors++;
      else elapsed.push(finished.elapsed_time * 1000);
    }
    return { runsPerSecond: count / ((performance.now() - started) / 1000), engineMs: median(elapsed), errors, headers: wfHeaders };
  };
  const empty = await runWorkflow(workflowYaml(0), WORKFLOW_RUNS);
  const twenty = await runWorkflow(workflowYaml(20), Math.max(10, Math.round(WORKFLOW_RUNS / 3)));
  const concurrentEmpty = await load(`${server.base}/api/workflows/run`, empty.headers, "POST", JSON.stringify({ inputs: { x: "bench" } }));
  const perNode = (twenty.engineMs - empty.engineMs) / 20;
  console.log("\nWorkflows (sequential runs, then the empty one under load)");
  console.table([
    { workflow: "start → end", "runs/s (sequential)": empty.runsPerSecond.toFixed(1), "engine ms (median)": fixed(empty.engineMs), errors: empty.errors },
    { workflow: "20 nodes (template, if-else, code)", "runs/s (sequential)": twenty.runsPerSecond.toFixed(1), "engine ms (median)": fixed(twenty.engineMs), errors: twenty.errors },
    { workflow: `start → end, ${CONNECTIONS} connections`, "runs/s (sequential)": Math.round(concurrentEmpty.requests.average), "engine ms (median)": "", errors: concurrentEmpty.errors + concurrentEmpty.non2xx },
  ]);
  summary.push(`empty workflow: ${Math.round(concurrentEmpty.requests.average)} runs/s under load, ${(concurrentEmpty.requests.average / health.requests.average).toFixed(2)}× the bare route (goal: 10× Dify EE's 36–40 runs/s per 3 CPUs, i.e. ≥ 130 runs/s per CPU)`);
  summary.push(`20-node workflow: ${fixed(perNode, 2)} ms per node including each node's own work, ${twenty.runsPerSecond.toFixed(1)} runs/s sequential (goal: < 1 ms engine overhead per node)`);

  console.log("\nSummary (figure — goal)");
  for (const line of summary) console.log(`- ${line}`);
} finally {
  await server.stop();
  await fake.close();
}
