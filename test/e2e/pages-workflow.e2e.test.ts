// The workflow page, the standalone human-input form page, and chatflow and agent answers in the
// chat page, in a real headless Chromium against one `wrangler dev` on loopback: runs with node
// progress and outputs, stop, a provider failure, a bad share code, XSS in an output; the approval
// demo pausing for its form and finishing; the form page's submit, "already submitted", not found,
// invalid data and rate limit; chatflow steps, a chatflow form inline and after a reload; agent
// thoughts as steps.
import { createServer, type Server } from "node:http";
import { connect, createServer as createNetServer, type Socket } from "node:net";
import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../../scripts/lib/fake-openai-server.mjs";
import { freePort, root } from "../../scripts/lib/local.mjs";
import { getPassport, importApp, type LocalServer, startServer } from "../../scripts/lib/server.mjs";
import { sseEvents } from "../../scripts/lib/sse-client.mjs";
import { launchBrowser } from "./browser";
import { everyInputFormYaml, fileWorkflowYaml, formChatflowYaml, storyWorkflowYaml } from "./workflow-apps";

// UPDATE_SCREENSHOTS=1 writes the README's screenshots; otherwise they go to a scratch directory.
const SHOTS = process.env.UPDATE_SCREENSHOTS ? path.join(root, "docs/screenshots") : path.join(tmpdir(), "dify-web-shots");
mkdirSync(SHOTS, { recursive: true });
const PHONE = { width: 390, height: 780 };
const DESKTOP = { width: 1200, height: 820 };
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

let server: LocalServer;
let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let fileHost: { server: Server; base: string };
const codes: Record<string, string> = {};
const ids: Record<string, string> = {};
const ADMIN = () => ({ Authorization: `Bearer ${server.adminKey}`, "Content-Type": "application/json" });
const WORDS = (n: number, prefix = "w") => Array.from({ length: n }, (_, i) => ` ${prefix}${i}`);

const collect = async <T,>(items: AsyncIterable<T>): Promise<T[]> => {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
};
const demoYaml = (name: string) => readFileSync(path.join(root, `demo-apps/${name}.yml`), "utf8");
/** A demo app on the fake model server instead of the echo model. */
const onFake = (yaml: string) => yaml.replaceAll("provider: echo", "provider: openai");

beforeAll(async () => {
  fake = await startFakeOpenAI();
  // A file host on loopback for files named by URL; the SSRF guard lets exactly this port through.
  const filePort = await freePort();
  fileHost = { server: createServer((_req, res) => res.writeHead(200, { "Content-Type": "image/png", "Content-Length": PNG.length }).end(PNG)), base: `http://127.0.0.1:${filePort}` };
  await new Promise<void>((r) => fileHost.server.listen(filePort, "127.0.0.1", r));
  const vars = { SSRF_ALLOWED_HOSTS: `127.0.0.1:${filePort}`, SSRF_DNS_RESOLVER: "off" };
  const [started, launched] = await Promise.all([startServer({ vars }), launchBrowser()]);
  server = started;
  browser = launched.browser;
  closeBrowser = launched.close;
  const put = await fetch(`${server.base}/admin/model-providers/openai`, { method: "PUT", headers: ADMIN(), body: JSON.stringify({ type: "openai-compatible", base_url: fake.baseUrl, api_key: "sk-e2e" }) });
  expect(put.status).toBe(200);
  const apps = {
    workflow: storyWorkflowYaml,
    approval: demoYaml("approval"),
    files: fileWorkflowYaml,
    everyInput: everyInputFormYaml,
    chatflow: onFake(demoYaml("chatflow")),
    formChatflow: formChatflowYaml,
    agent: demoYaml("agent"),
  };
  for (const [name, yaml] of Object.entries(apps)) {
    const app = await importApp(server, yaml);
    codes[name] = app.site_code;
    ids[name] = app.app_id;
  }
  await fetch(`${server.base}/admin/apps/${ids.workflow}`, { method: "PATCH", headers: ADMIN(), body: JSON.stringify({ site: { chat_color_theme: "#0E9384", copyright: "ACME Inc." } }) });
}, 180_000);

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
  await fake?.close();
  fileHost?.server.close();
});

async function open(pagePath: string, viewport = DESKTOP, base = server.base, locale = "en-US"): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, locale, reducedMotion: "reduce" });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
  await page.goto(`${base}${pagePath}`, { waitUntil: "domcontentloaded" });
  return { context, page, errors };
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const textOf = async (locator: Locator) => ((await locator.textContent()) ?? "").trim();
const result = (page: Page) => page.locator("article.run");
/** Waits until the run has ended (succeeded, failed or stopped). */
const ended = (page: Page, timeout = 20_000) => page.locator("article.run[aria-busy='false']").waitFor({ timeout });
const stepStatuses = (page: Page) => page.locator("article.run .step-list li").evaluateAll((items) => items.map((li) => [li.querySelector(".step-title")?.textContent, li.getAttribute("data-status")]));

/** Starts the approval demo through the API (as another tab would) and returns its form token once it pauses. */
async function pausedApproval(user: string): Promise<{ token: string; runId: string; passport: string }> {
  const passport = await getPassport(server, codes.approval, user);
  const res = await fetch(`${server.base}/api/workflows/run`, {
    method: "POST",
    headers: { Authorization: `Bearer ${passport}`, "X-App-Code": codes.approval, "Content-Type": "application/json" },
    body: JSON.stringify({ inputs: { request: "Refund my order" }, response_mode: "streaming" }),
  });
  expect(res.status).toBe(200);
  let token = "";
  let runId = "";
  for await (const event of sseEvents(res.body!)) {
    if (event.event === "human_input_required") token = event.data.form_token;
    if (event.event === "workflow_paused") runId = event.data.workflow_run_id;
  }
  expect(token).toMatch(/^[A-Za-z0-9]{22}$/);
  return { token, runId, passport };
}

describe("workflow page", () => {
  it("runs with live node progress and shows the outputs, in the app's colours", async () => {
    fake.state.scenario = { tokens: ["Rivers", " **run**", " to the", " sea.", "\n\n- They carve", " valleys.", "\n- They feed", " deltas."], firstTokenDelayMs: 0, delayMs: 120 };
    const { context, page, errors } = await open(`/workflow/${codes.workflow}`);
    await page.getByRole("heading", { name: "Story Teller" }).waitFor();
    expect(await page.title()).toBe("Story Teller");
    expect(await page.evaluate(() => document.documentElement.style.getPropertyValue("--theme"))).toBe("#0E9384");
    await page.getByText("ACME Inc.").waitFor();
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.getByText("Topic is required.").waitFor();
    await page.fill("#input-topic", "rivers and seas");
    const sent = page.waitForRequest((req) => req.url().endsWith("/api/workflows/run"));
    await page.getByRole("button", { name: "Run", exact: true }).click();
    expect((await sent).postDataJSON()).toMatchObject({ inputs: { topic: "rivers and seas" }, response_mode: "streaming" });
    // Progress while it runs: the LLM node shows as running, its text streams in (text_chunk).
    const running = page.locator("article.run[aria-busy='true']");
    await running.locator(".step[data-status='running']").filter({ hasText: "Draft" }).waitFor();
    await running.locator(".run-output .markdown").filter({ hasText: "Rivers" }).waitFor();
    await page.getByRole("button", { name: "Stop" }).waitFor();
    await ended(page);
    expect(await textOf(result(page).locator(".run-status"))).toMatch(/^Succeeded.*\d+ steps$/);
    expect(await stepStatuses(page)).toEqual([
      ["Start", "succeeded"],
      ["Long enough?", "succeeded"],
      ["Draft", "succeeded"],
      ["Several words", "succeeded"],
    ]);
    expect(await result(page).locator(".step-time").first().textContent()).toMatch(/^\d+\.\d+ s$/);
    const output = result(page).locator(".run-output .markdown");
    expect(await textOf(output.locator("strong"))).toBe("run");
    expect(await textOf(output.locator("p"))).toBe("Rivers run to the sea.");
    expect(await output.locator("li").allTextContents()).toEqual(["They carve valleys.", "They feed deltas."]);
    await page.getByRole("button", { name: "Run", exact: true }).waitFor();
    await shot(page, "workflow");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("stops a run, which ends as stopped", async () => {
    fake.state.scenario = { tokens: WORDS(400, "s"), firstTokenDelayMs: 0, delayMs: 25 };
    const { context, page } = await open(`/workflow/${codes.workflow}`);
    await page.fill("#input-topic", "long story");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await page.locator("article.run .step[data-status='running']").filter({ hasText: "Draft" }).waitFor();
    await page.waitForTimeout(300);
    const stopCall = page.waitForRequest((req) => /\/api\/workflows\/tasks\/[^/]+\/stop$/.test(req.url()));
    await page.getByRole("button", { name: "Stop" }).click();
    await stopCall;
    await ended(page);
    expect(await textOf(result(page).locator(".run-status"))).toMatch(/^Stopped/);
    expect(await result(page).locator(".step").filter({ hasText: "Draft" }).getAttribute("data-status")).toBe("stopped");
    expect(await result(page).locator(".step").filter({ hasText: "Several words" }).count()).toBe(0);
    await page.getByRole("button", { name: "Run", exact: true }).waitFor();
    await context.close();
  });

  it("shows a provider failure as a message", async () => {
    fake.state.scenario = { tokens: [], firstTokenDelayMs: 0, delayMs: 0, failStatus: 500, failMessage: "the model is down" };
    const { context, page } = await open(`/workflow/${codes.workflow}`);
    await page.fill("#input-topic", "anything at all");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const alert = result(page).getByRole("alert");
    await alert.waitFor();
    expect(await textOf(alert)).toContain("the model is down");
    expect(await textOf(result(page).locator(".run-status"))).toMatch(/^Failed/);
    expect(await result(page).locator(".step").filter({ hasText: "Draft" }).getAttribute("data-status")).toBe("failed");
    await context.close();
  });

  it("resumes a run's stream through the events endpoint after the connection drops", async () => {
    // The page talks to the worker through a TCP relay that the test cuts mid-run.
    const sockets = new Set<Socket>();
    const relay = createNetServer((client) => {
      const upstream = connect(Number(new URL(server.base).port), "127.0.0.1");
      sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => (client.destroy(), upstream.destroy());
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
    });
    await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
    const tokens = WORDS(50, "r");
    fake.state.scenario = { tokens, firstTokenDelayMs: 0, delayMs: 40 };
    const { context, page } = await open(`/workflow/${codes.workflow}`, DESKTOP, `http://127.0.0.1:${(relay.address() as { port: number }).port}`);
    const resumes: { url: string; lastEventId?: string }[] = [];
    page.on("request", (req) => req.url().includes("/events") && resumes.push({ url: req.url(), lastEventId: req.headers()["last-event-id"] }));
    await page.fill("#input-topic", "keep going");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await result(page).locator(".run-output .markdown").filter({ hasText: "r5" }).waitFor();
    await context.setOffline(true);
    for (const socket of sockets) socket.destroy();
    await result(page).getByText("Connection lost. Reconnecting…").waitFor();
    await page.waitForTimeout(500);
    await context.setOffline(false);
    await ended(page);
    expect(resumes[0]!.url).toMatch(/\/api\/workflow\/[0-9a-f-]{36}\/events$/);
    expect(Number(resumes[0]!.lastEventId)).toBeGreaterThan(0);
    expect(await textOf(result(page).locator(".run-status"))).toMatch(/^Succeeded/);
    expect(await textOf(result(page).locator(".run-output .markdown"))).toBe(tokens.join("").trim());
    await context.close();
    relay.close();
  });

  it("renders script in an output inert", async () => {
    fake.state.scenario = {
      tokens: ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=2</script>", ' [click](javascript:window.__xss=3) <a href="javascript:window.__xss=4">a</a>', ' <iframe src="javascript:window.__xss=5"></iframe> <b onmouseover="window.__xss=6">bold</b>'],
      firstTokenDelayMs: 0,
      delayMs: 5,
    };
    const { context, page } = await open(`/workflow/${codes.workflow}`);
    await page.fill("#input-topic", "attack please");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await ended(page);
    const markdown = result(page).locator(".run-output .markdown");
    await markdown.locator("b").hover();
    await markdown.locator("a").first().click({ noWaitAfter: true }).catch(() => undefined);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await markdown.innerHTML()).not.toMatch(/onerror|onmouseover|<script|<iframe|javascript:/i);
    expect(await textOf(markdown.locator("b"))).toBe("bold");
    await context.close();
  });

  it("shows file outputs as images and links, and other outputs by name", async () => {
    const { context, page } = await open(`/workflow/${codes.files}`, PHONE);
    await page.setInputFiles("#input-picture-file", { name: "dot.png", mimeType: "image/png", buffer: PNG });
    await page.locator(".attachment.done").waitFor();
    await page.fill("#input-caption", "A dot");
    await page.fill("#input-count", "1");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await ended(page);
    const outputs = result(page).locator("dl.outputs");
    expect(await outputs.locator("dt").allTextContents()).toEqual(["picture", "caption", "count"]);
    const img = outputs.locator(".output-image img");
    expect(await img.getAttribute("alt")).toBe("dot.png");
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);
    expect(await textOf(outputs.locator(".output").filter({ hasText: "caption" }).locator("dd"))).toBe("A dot");
    expect(await textOf(outputs.locator(".output-json"))).toBe("1");
    await context.close();
  });

  it("answers a bad share code with 'App unavailable'", async () => {
    const { context, page } = await open("/workflow/no-such-code");
    await page.getByRole("heading", { name: "App unavailable" }).waitFor();
    await context.close();
  });
});

describe("human input on the workflow page", () => {
  it("pauses the approval demo for its form, submits it inline, and shows the rest of the run", async () => {
    const { context, page, errors } = await open(`/workflow/${codes.approval}`);
    const follow: string[] = [];
    page.on("request", (req) => req.url().includes("/api/workflow/") && follow.push(req.url()));
    await page.fill("#input-request", "Please refund order 42");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    const form = result(page).locator("form.hi-form");
    await form.waitFor({ timeout: 20_000 });
    expect(await textOf(result(page).locator(".run-status"))).toBe("Waiting for your input.");
    expect(await result(page).locator(".step").filter({ hasText: "Review" }).getAttribute("data-status")).toBe("paused");
    await form.getByRole("heading", { name: "Review" }).waitFor();
    expect(await textOf(form.locator(".hi-content"))).toContain("You said: Please refund order 42");
    const note = form.getByRole("textbox", { name: "note" });
    expect(await note.inputValue()).toBe("Looks good.");
    expect(await form.getByRole("button").allTextContents()).toEqual(["Approve", "Reject"]);
    // The page follows the paused run on its events stream (Dify's client does the same).
    await expect.poll(() => follow.some((u) => u.endsWith("/events"))).toBe(true);
    await shot(page, "workflow-form");
    await note.fill("Refund approved.");
    const submitted = page.waitForRequest((req) => req.url().includes("/api/form/human_input/") && req.method() === "POST");
    // From the keyboard: the first action follows the note.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Approve");
    await page.keyboard.press("Enter");
    expect((await submitted).postDataJSON()).toEqual({ inputs: { note: "Refund approved." }, action: "approve" });
    await ended(page);
    expect(await textOf(result(page).locator(".run-status"))).toMatch(/^Succeeded/);
    const filled = result(page).locator(".hi-form.filled");
    expect(await textOf(filled)).toContain("Your note: Refund approved.");
    expect(await textOf(filled)).toContain("Chosen: Approve");
    const outputs = result(page).locator("dl.outputs");
    expect(await outputs.locator("dt").allTextContents()).toEqual(["result", "note"]);
    expect(await textOf(outputs.locator("dd").first())).toBe("You said: Please refund order 42");
    expect(await stepStatuses(page)).toEqual([
      ["Start", "succeeded"],
      ["Draft a reply", "succeeded"],
      ["Review", "succeeded"],
      ["Approved", "succeeded"],
    ]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("stops a run that waits for its form", async () => {
    const { context, page } = await open(`/workflow/${codes.approval}`);
    await page.fill("#input-request", "Stop me");
    await page.getByRole("button", { name: "Run", exact: true }).click();
    await result(page).locator("form.hi-form").waitFor({ timeout: 20_000 });
    await page.getByRole("button", { name: "Stop" }).click();
    await ended(page);
    expect(await textOf(result(page).locator(".run-status"))).toMatch(/^Stopped/);
    expect(await result(page).locator("form.hi-form").count()).toBe(0);
    await context.close();
  });
});

describe("the standalone form page", () => {
  it("submits a form by its link; reopening it says it was already submitted; the run finishes", async () => {
    const { token, runId, passport } = await pausedApproval("form-user-1");
    const { context, page, errors } = await open(`/form/${token}`, PHONE);
    await page.getByRole("heading", { name: "Demo Approval" }).waitFor();
    const form = page.locator("form.hi-form");
    expect(await textOf(form.locator(".hi-content"))).toContain("You said: Refund my order");
    await form.getByText(/^Open until /).waitFor();
    await shot(page, "form");
    await form.getByRole("textbox", { name: "note" }).fill("No refund.");
    await form.getByRole("button", { name: "Reject" }).click();
    await page.getByRole("heading", { name: "Thank you" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Already submitted" }).waitFor();
    // The run went on along the reject branch.
    const events = await fetch(`${server.base}/api/workflow/${runId}/events`, { headers: { Authorization: `Bearer ${passport}`, "X-App-Code": codes.approval } });
    const last = (await collect(sseEvents(events.body!))).at(-1)!;
    expect(last).toMatchObject({ event: "workflow_finished", data: { status: "succeeded", outputs: { result: "Reject" } } });
    expect(errors.filter((e) => !/status of 412/.test(e))).toEqual([]);
    await context.close();
  });

  it("takes every input type, shows the API's invalid_form_data message, then submits", async () => {
    const passport = await getPassport(server, codes.everyInput, "form-user-2");
    const run = await fetch(`${server.base}/api/workflows/run`, {
      method: "POST",
      headers: { Authorization: `Bearer ${passport}`, "X-App-Code": codes.everyInput, "Content-Type": "application/json" },
      body: JSON.stringify({ inputs: {} }),
    });
    const required = (await collect(sseEvents(run.body!))).find((e) => e.event === "human_input_required")!;
    const token = required.data.form_token;
    const { context, page } = await open(`/form/${token}`);
    const form = page.locator("form.hi-form");
    await form.waitFor();
    expect(await form.getByRole("textbox", { name: "summary" }).inputValue()).toBe("prefilled");
    expect(await form.getByRole("combobox", { name: "colour" }).locator("option").allTextContents()).toEqual(["Select…", "red", "green"]);
    await form.getByRole("button", { name: "Send" }).click();
    await form.getByText("Choose a value for colour.").waitFor();
    await form.getByRole("combobox", { name: "colour" }).selectOption("green");
    // Files are named by URL here (no app session to upload with); the server fetches them.
    await form.getByRole("group", { name: "photo" }).getByRole("button", { name: "Add a file by URL" }).click();
    await page.fill("#form-photo-url", "http://10.0.0.1/secret.png");
    await form.getByRole("group", { name: "photo" }).getByRole("button", { name: "Add", exact: true }).click();
    await form.getByRole("button", { name: "Send" }).click();
    const alert = form.getByRole("alert");
    await alert.filter({ hasText: "Invalid value for photo" }).waitFor();
    await form.getByRole("group", { name: "photo" }).getByRole("button", { name: /^Remove/ }).click();
    await form.getByRole("group", { name: "photo" }).getByRole("button", { name: "Add a file by URL" }).click();
    await page.fill("#form-photo-url", `${fileHost.base}/photo.png`);
    await form.getByRole("group", { name: "photo" }).getByRole("button", { name: "Add", exact: true }).click();
    for (const n of [1, 2]) {
      await form.getByRole("group", { name: "album" }).getByRole("button", { name: "Add a file by URL" }).click();
      await page.fill("#form-album-url", `${fileHost.base}/album-${n}.png`);
      await form.getByRole("group", { name: "album" }).getByRole("button", { name: "Add", exact: true }).click();
    }
    const sent = page.waitForRequest((req) => req.url().includes("/api/form/human_input/") && req.method() === "POST" && !!req.postDataJSON()?.inputs?.album?.length);
    await form.getByRole("button", { name: "Send" }).click();
    expect((await sent).postDataJSON()).toEqual({
      action: "send",
      inputs: {
        summary: "prefilled",
        colour: "green",
        photo: { type: "image", transfer_method: "remote_url", url: `${fileHost.base}/photo.png`, upload_file_id: "" },
        album: [1, 2].map((n) => ({ type: "image", transfer_method: "remote_url", url: `${fileHost.base}/album-${n}.png`, upload_file_id: "" })),
      },
    });
    await page.getByRole("heading", { name: "Thank you" }).waitFor();
    // The run got the files the server fetched, as the files of its run's end user.
    const events = await fetch(`${server.base}/api/workflow/${required.workflow_run_id}/events`, { headers: { Authorization: `Bearer ${passport}`, "X-App-Code": codes.everyInput } });
    const last = (await collect(sseEvents(events.body!))).at(-1)!;
    expect(last).toMatchObject({ event: "workflow_finished", data: { status: "succeeded", outputs: { colour: "green", photo: { type: "image", filename: "photo.png" }, album: [{ filename: "album-1.png" }, { filename: "album-2.png" }] } } });
    await context.close();
  });

  it("says so when the link is not a form, in the browser's language", async () => {
    const { context, page } = await open("/form/NoSuchFormToken1234567");
    await page.getByRole("heading", { name: "Form not found" }).waitFor();
    await context.close();
    const zh = await open("/form/NoSuchFormToken1234567", PHONE, server.base, "zh-CN");
    await zh.page.getByRole("heading", { name: "未找到表单" }).waitFor();
    await zh.context.close();
  });
});

describe("chat page: chatflows and agents", () => {
  it("shows a chatflow's node progress when show_workflow_steps is on, and not when it is off", async () => {
    fake.state.scenario = { tokens: ["Hi", " there."], firstTokenDelayMs: 0, delayMs: 10 };
    const { context, page, errors } = await open(`/chat/${codes.chatflow}`);
    await page.fill("#message", "hello");
    await page.keyboard.press("Enter");
    const answer = page.locator("article.answer").last();
    await answer.locator(".answer-actions").waitFor({ timeout: 15_000 });
    expect(await textOf(answer.locator(".bubble-body > .markdown"))).toMatch(/^Hi there\.\s*\(turn 1\)$/);
    const steps = answer.locator("details.steps");
    expect(await textOf(steps.locator("summary"))).toBe("Steps (4)");
    await steps.locator("summary").click();
    expect(await steps.locator(".step").evaluateAll((items) => items.map((li) => [li.querySelector(".step-title")?.textContent, li.getAttribute("data-status")]))).toEqual([
      ["Start", "succeeded"],
      ["LLM", "succeeded"],
      ["Count turns", "succeeded"],
      ["Answer", "succeeded"],
    ]);
    await fetch(`${server.base}/admin/apps/${ids.chatflow}`, { method: "PATCH", headers: ADMIN(), body: JSON.stringify({ site: { show_workflow_steps: false } }) });
    await page.reload();
    await page.locator("article.answer").first().waitFor();
    await page.fill("#message", "again");
    await page.keyboard.press("Enter");
    await page.locator("article.answer").nth(1).locator(".answer-actions").waitFor({ timeout: 15_000 });
    expect(await page.locator("article.answer details.steps").count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows a chatflow's form inline in the conversation and goes on after it is submitted, also after a reload", async () => {
    fake.state.scenario = { tokens: ["Draft", " ready."], firstTokenDelayMs: 0, delayMs: 10 };
    const { context, page, errors } = await open(`/chat/${codes.formChatflow}`);
    await page.fill("#message", "write a draft");
    await page.keyboard.press("Enter");
    const answer = page.locator("article.answer").last();
    const form = answer.locator("form.hi-form");
    await form.waitFor({ timeout: 15_000 });
    expect(await textOf(answer.locator(".answer-note"))).toBe("Waiting for your input.");
    expect(await textOf(form)).toContain("Check: Draft ready.");
    await form.getByRole("textbox", { name: "comment" }).fill("ship it");
    await form.getByRole("button", { name: "OK" }).click();
    await answer.locator(".answer-actions").waitFor({ timeout: 15_000 });
    expect(await textOf(answer.locator(".bubble-body > .markdown"))).toBe("Draft ready. — ship it");
    expect(await textOf(answer.locator(".hi-form.filled"))).toContain("Chosen: OK");

    // A second turn pauses too; the page is reloaded while it waits: the form comes back from
    // /api/messages and the run is picked up again through its state snapshot.
    fake.state.scenario = { tokens: ["Second", " draft."], firstTokenDelayMs: 0, delayMs: 10 };
    await page.fill("#message", "another one");
    await page.keyboard.press("Enter");
    await page.locator("article.answer").nth(1).locator("form.hi-form").waitFor({ timeout: 15_000 });
    const resumed = page.waitForRequest((req) => req.url().includes("/events?include_state_snapshot=true"));
    await page.reload();
    await resumed;
    const again = page.locator("article.answer").nth(1);
    await again.locator("form.hi-form").waitFor();
    // History renders its Markdown when the renderer has loaded: wait for the text, then compare it.
    const firstAnswer = page.locator("article.answer").first().locator(".bubble-body > .markdown");
    await firstAnswer.filter({ hasText: "Draft ready." }).waitFor();
    expect(await textOf(firstAnswer)).toBe("Draft ready. — ship it");
    await again.locator(".bubble-body > .markdown").filter({ hasText: "Second" }).waitFor();
    expect(await textOf(again.locator(".bubble-body > .markdown"))).toBe("Second draft.");
    await shot(page, "chatflow-form");
    await again.locator("form.hi-form").getByRole("textbox", { name: "comment" }).fill("fine");
    await again.locator("form.hi-form").getByRole("button", { name: "OK" }).click();
    await again.locator(".answer-actions").waitFor({ timeout: 15_000 });
    expect(await textOf(again.locator(".bubble-body > .markdown"))).toBe("Second draft. — fine");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows an agent's thoughts as steps with the tool, its input and what it answered, live and after a reload", async () => {
    const { context, page, errors } = await open(`/chat/${codes.agent}`);
    await page.fill("#message", "/time please");
    await page.keyboard.press("Enter");
    const answer = page.locator("article.answer").last();
    await answer.locator(".answer-actions").waitFor({ timeout: 15_000 });
    const check = async (where: Locator) => {
      const step = where.locator("details.steps .step").filter({ hasText: "Tool: current_time" });
      if (!(await step.isVisible())) await where.locator("details.steps summary").click();
      await step.waitFor();
      expect(await textOf(step.locator(".step-io").first())).toMatch(/^Input\s*\{"current_time":\s*\{.*\}\}$/);
      expect(await textOf(step.locator(".step-io").last())).toMatch(/^Result\s*\{"current_time":\s*"\d{4}-\d{2}-\d{2}/);
      expect(await textOf(where.locator(".bubble-body > .markdown"))).toMatch(/^The tool said: \d{4}-\d{2}-\d{2}/);
    };
    await check(answer);
    await page.reload();
    await page.locator("article.answer").first().waitFor();
    await check(page.locator("article.answer").first());
    expect(errors).toEqual([]);
    await context.close();
  });
});

// Last: it spends this address's form requests for the minute.
describe("form rate limit", () => {
  it("shows the 429 message once this address has made too many form requests", async () => {
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${server.base}/api/form/human_input/NoSuchFormToken1234567`);
      if (res.status === 429) break;
    }
    const { context, page } = await open("/form/NoSuchFormToken1234567");
    await page.getByRole("heading", { name: "Too many requests" }).waitFor();
    await context.close();
  });
});
