// The pages the worker serves, in a real headless Chromium against one `wrangler dev` on loopback,
// with the loopback fake OpenAI-compatible server as the model: chat, chatbot, completion,
// sign-in, the embed script on a plain page, /docs; the failure paths; XSS in an answer; a stream
// resumed after going offline; the passport cookie refused to another site.
import { createServer, type Server } from "node:http";
import { connect, createServer as createNetServer, type Socket } from "node:net";
import { mkdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeOpenAI } from "../../scripts/lib/fake-openai-server.mjs";
import { freePort, root } from "../../scripts/lib/local.mjs";
import { importApp, type LocalServer, startServer } from "../../scripts/lib/server.mjs";
import { launchBrowser } from "./browser";

// UPDATE_SCREENSHOTS=1 writes the README's screenshots; otherwise they go to a scratch directory.
const SHOTS = process.env.UPDATE_SCREENSHOTS ? path.join(root, "docs/screenshots") : path.join(tmpdir(), "dify-web-shots");
mkdirSync(SHOTS, { recursive: true });
const PHONE = { width: 390, height: 780 };
const DESKTOP = { width: 1200, height: 780 };
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

let server: LocalServer;
let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let other: { server: Server; origin: string; pages: Map<string, string> };
let remoteFile: { server: Server; url: string };
const codes: Record<string, string> = {};
const ids: Record<string, string> = {};
const ADMIN = () => ({ Authorization: `Bearer ${server.adminKey}`, "Content-Type": "application/json" });
const WORDS = (n: number, prefix = "w") => Array.from({ length: n }, (_, i) => ` ${prefix}${i}`);

const demo = (name: string) => readFileSync(path.join(root, `demo-apps/${name}.yml`), "utf8").replace("provider: echo", "provider: openai");

const chatYaml = demo("chat")
  .replace("speech_to_text:\n    enabled: false", "speech_to_text:\n    enabled: true")
  .replace("text_to_speech:\n    enabled: false", "text_to_speech:\n    enabled: true\n    voice: alloy");

const formYaml = demo("completion")
  .replace("name: Demo Writer", "name: Every Input")
  .replace(
    "  agent_mode:\n",
    `    - paragraph:
        variable: notes
        label: Notes
        required: false
        max_length: 200
    - number:
        variable: words
        label: Words
        required: false
    - checkbox:
        variable: formal
        label: Formal
        required: false
  agent_mode:
`,
  )
  .replace("max_length: 120", "max_length: 12");

beforeAll(async () => {
  fake = await startFakeOpenAI();
  // Another site on another host name (localhost is cross-site to 127.0.0.1): the embedding page
  // and the page that tries to use the cookie from outside.
  const otherPort = await freePort();
  other = { server: createServer(), origin: `http://localhost:${otherPort}`, pages: new Map() };
  other.server.on("request", (req, res) => {
    const html = other.pages.get(req.url ?? "");
    res.writeHead(html ? 200 : 404, { "Content-Type": "text/html" }).end(html ?? "not found");
  });
  await new Promise<void>((r) => other.server.listen(otherPort, "127.0.0.1", r));
  // A file host for uploads by URL; the SSRF guard lets exactly this loopback port through.
  const filePort = await freePort();
  remoteFile = { server: createServer((_req, res) => res.writeHead(200, { "Content-Type": "image/png", "Content-Length": PNG.length }).end(PNG)), url: `http://127.0.0.1:${filePort}/pic.png` };
  await new Promise<void>((r) => remoteFile.server.listen(filePort, "127.0.0.1", r));
  const vars = { ENABLE_EMAIL_CODE_LOGIN: "true", SSRF_ALLOWED_HOSTS: `127.0.0.1:${filePort}`, SSRF_DNS_RESOLVER: "off" };
  const [started, launched] = await Promise.all([startServer({ vars }), launchBrowser()]);
  server = started;
  browser = launched.browser;
  closeBrowser = launched.close;
  const put = await fetch(`${server.base}/admin/model-providers/openai`, { method: "PUT", headers: ADMIN(), body: JSON.stringify({ type: "openai-compatible", base_url: fake.baseUrl, api_key: "sk-e2e" }) });
  expect(put.status).toBe(200);
  for (const [name, yaml] of Object.entries({ chat: chatYaml, completion: demo("completion"), form: formYaml, privateChat: demo("chat"), disabled: demo("chat"), chinese: demo("completion") })) {
    const app = await importApp(server, yaml);
    codes[name] = app.site_code;
    ids[name] = app.app_id;
  }
  await fetch(`${server.base}/admin/apps/${ids.disabled}`, { method: "PATCH", headers: ADMIN(), body: JSON.stringify({ enable_site: false }) });
  await fetch(`${server.base}/admin/apps/${ids.chinese}`, { method: "PATCH", headers: ADMIN(), body: JSON.stringify({ site: { default_language: "zh-Hans", title: "写作助手" } }) });
  await fetch(`${server.base}/admin/apps/${ids.chat}`, { method: "PATCH", headers: ADMIN(), body: JSON.stringify({ site: { copyright: "ACME Inc.", privacy_policy: "https://example.com/privacy", custom_disclaimer: "Answers may be wrong.", chat_color_theme: "#7839EE" } }) });
  await fetch(`${server.base}/admin/accounts`, { method: "POST", headers: ADMIN(), body: JSON.stringify({ email: "ann@example.com", name: "Ann", password: "Passw0rd!" }) });
  await fetch(`${server.base}/admin/apps/${ids.privateChat}/access`, { method: "PUT", headers: ADMIN(), body: JSON.stringify({ access_mode: "private_all" }) });
  // The model's replies: suggested questions and titles get their own, everything else the scenario.
  fake.state.respond = (body) => {
    const prompt = JSON.stringify(body.messages ?? "");
    if (prompt.includes("Predict the three questions")) return ['["What else?", "Tell me more"]'];
    return undefined;
  };
}, 180_000);

afterAll(async () => {
  await closeBrowser?.();
  await server?.stop();
  await fake?.close();
  other?.server.close();
  remoteFile?.server.close();
});

async function open(path: string, viewport = DESKTOP, base = server.base, locale = "en-US"): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, locale, reducedMotion: "reduce" });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  page.on("console", (msg) => msg.type() === "error" && errors.push(msg.text()));
  const pending = new Set<string>();
  page.on("request", (req) => pending.add(req.url()));
  page.on("requestfinished", (req) => pending.delete(req.url()));
  page.on("requestfailed", (req) => pending.delete(req.url()));
  try {
    await page.goto(`${base}${path}`, { waitUntil: "domcontentloaded" });
  } catch (err) {
    throw new Error(`${(err as Error).message}\nstill loading: ${[...pending].join(", ")}`);
  }
  return { context, page, errors };
}

const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
const answers = (page: Page) => page.locator("article.answer");
const lastAnswer = (page: Page) => answers(page).last();
const textOf = async (locator: Locator) => ((await locator.textContent()) ?? "").trim();
const send = async (page: Page, text: string) => {
  await page.fill("#message", text);
  await page.keyboard.press("Enter");
};
/** Waits until the newest answer has ended (done with its actions, failed or stopped). */
const finished = (page: Page) => lastAnswer(page).and(page.locator("article.answer[aria-busy='false']")).waitFor({ timeout: 15_000 });

describe("chat page", () => {
  it("chats with streamed Markdown, names the conversation, suggests, rates and copies; the sidebar renames, pins and deletes", async () => {
    fake.state.scenario = { tokens: ["Hello", " **Ada**", ", here is", " `code`."], firstTokenDelayMs: 0, delayMs: 10 };
    const { context, page, errors } = await open(`/chat/${codes.chat}`);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.base });
    await expect.poll(() => page.title()).toBe("Demo Chat");
    await page.getByText("Hello friend! Ask me anything.").waitFor();
    expect(await page.locator(".suggestions .chip").allTextContents()).toEqual(["What can you do?", "Tell me a short story."]);
    await page.getByText("Answers may be wrong.").waitFor();
    expect(await page.getByRole("link", { name: "Privacy policy" }).getAttribute("href")).toBe("https://example.com/privacy");
    await page.fill("#input-name", "Ada");
    await page.getByText("Hello Ada! Ask me anything.").waitFor();
    await shot(page, "chat-start");

    await send(page, "Who am I?");
    await finished(page);
    expect(await textOf(lastAnswer(page).locator(".markdown strong"))).toBe("Ada");
    expect(await textOf(lastAnswer(page).locator(".markdown code"))).toBe("code");
    // The first token is on screen within 50 ms of its arrival.
    const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, m.startTime])));
    const paintDelay = marks["answer-first-token-painted"] - marks["answer-first-token-arrived"];
    console.log(`first answer token on screen ${paintDelay.toFixed(1)} ms after it arrived`);
    expect(paintDelay).toBeLessThan(50);
    expect(fake.state.requests.some((r) => JSON.stringify(r.messages).includes("Who am I?") && JSON.stringify(r.messages).includes("Ada"))).toBe(true);
    await lastAnswer(page).getByRole("button", { name: "What else?" }).waitFor();

    await lastAnswer(page).getByRole("button", { name: "Like", exact: true }).click();
    await expect.poll(() => lastAnswer(page).getByRole("button", { name: "Like", exact: true }).getAttribute("aria-pressed")).toBe("true");
    await lastAnswer(page).getByRole("button", { name: "Copy" }).click();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe("Hello **Ada**, here is `code`.");
    await lastAnswer(page).getByRole("button", { name: "What else?" }).click();
    await expect.poll(() => answers(page).count()).toBe(2);
    await finished(page);
    await shot(page, "chat-conversation");

    // The sidebar: the conversation got a generated name; rename, pin, new chat, reopen, delete.
    const sidebar = page.getByRole("navigation", { name: "Conversations" });
    await sidebar.locator(".conv").first().waitFor();
    await sidebar.getByRole("button", { name: /^Actions:/ }).first().click();
    await page.getByRole("menuitem", { name: "Rename" }).click();
    await page.fill("input[id^='rename-']", "Talk with Ada");
    await page.keyboard.press("Enter");
    await sidebar.getByRole("button", { name: "Talk with Ada", exact: true }).waitFor();
    await sidebar.getByRole("button", { name: "Actions: Talk with Ada" }).click();
    await page.getByRole("menuitem", { name: "Pin" }).click();
    await page.getByRole("region", { name: "Pinned" }).getByRole("button", { name: "Talk with Ada", exact: true }).waitFor();
    await sidebar.getByRole("button", { name: "New chat" }).click();
    await expect.poll(() => answers(page).count()).toBe(0);
    await page.getByText("Hello friend! Ask me anything.").waitFor();
    await sidebar.getByRole("button", { name: "Talk with Ada", exact: true }).click();
    await expect.poll(() => answers(page).count()).toBe(2);
    expect(await page.locator(".bubble.question p").allTextContents()).toEqual(["Who am I?", "What else?"]);
    await expect.poll(() => page.locator("article.answer").first().getByRole("button", { name: "Like", exact: true }).getAttribute("aria-pressed")).toBe("true");
    page.once("dialog", (dialog) => dialog.accept());
    await sidebar.getByRole("button", { name: "Actions: Talk with Ada" }).click();
    await page.getByRole("menuitem", { name: "Delete" }).click();
    await expect.poll(() => sidebar.locator(".conv").count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("stops a streaming answer and keeps what came", async () => {
    fake.state.scenario = { tokens: WORDS(300), firstTokenDelayMs: 0, delayMs: 25 };
    const { context, page } = await open(`/chat/${codes.chat}`);
    await send(page, "long one");
    await lastAnswer(page).locator(".markdown").filter({ hasText: "w3" }).waitFor();
    await page.getByRole("button", { name: "Stop" }).click();
    await page.locator("article.answer.stopped").waitFor();
    const text = (await lastAnswer(page).locator(".markdown").textContent()) ?? "";
    expect(text).toContain("w3");
    expect(text).not.toContain("w299");
    await page.getByRole("button", { name: "Send" }).waitFor();
    await context.close();
  });

  it("shows a provider failure as a message", async () => {
    fake.state.scenario = { tokens: [], firstTokenDelayMs: 0, delayMs: 0, failStatus: 500, failMessage: "the model is down" };
    const { context, page } = await open(`/chat/${codes.chat}`);
    await send(page, "are you there?");
    const alert = lastAnswer(page).getByRole("alert");
    await alert.waitFor();
    expect((await alert.textContent())!.length).toBeGreaterThan(0);
    fake.state.scenario = { tokens: ["ok"], firstTokenDelayMs: 0, delayMs: 0 };
    await context.close();
  });

  it("renders script in a model answer inert", async () => {
    fake.state.scenario = {
      tokens: ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=2</script>", ' [click](javascript:window.__xss=3) <a href="javascript:window.__xss=4">a</a>', ' <iframe src="javascript:window.__xss=5"></iframe> <b onmouseover="window.__xss=6">bold</b>'],
      firstTokenDelayMs: 0,
      delayMs: 5,
    };
    const { context, page } = await open(`/chat/${codes.chat}`);
    await send(page, "attack");
    await finished(page);
    const markdown = lastAnswer(page).locator(".markdown");
    await markdown.locator("b").hover();
    await markdown.locator("a").first().click({ noWaitAfter: true }).catch(() => undefined);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    const html = await markdown.innerHTML();
    expect(html).not.toMatch(/onerror|onmouseover|<script|<iframe|javascript:/i);
    expect(await textOf(markdown.locator("b"))).toBe("bold");
    await context.close();
  });

  it("resumes a stream through the events endpoint after the connection drops", async () => {
    // The page talks to the worker through a TCP relay that the test cuts mid-answer.
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
    const tokens = WORDS(60, "r");
    fake.state.scenario = { tokens, firstTokenDelayMs: 0, delayMs: 40 };
    const { context, page } = await open(`/chat/${codes.chat}`, DESKTOP, `http://127.0.0.1:${(relay.address() as { port: number }).port}`);
    const resumes: (string | undefined)[] = [];
    page.on("request", (req) => req.url().includes("/events") && resumes.push(req.headers()["last-event-id"]));
    await send(page, "keep going");
    await lastAnswer(page).locator(".markdown").filter({ hasText: "r5" }).waitFor();
    await context.setOffline(true);
    for (const socket of sockets) socket.destroy();
    await lastAnswer(page).getByText("Connection lost. Reconnecting…").waitFor();
    await page.waitForTimeout(500);
    await context.setOffline(false);
    await finished(page);
    expect(resumes.length).toBeGreaterThan(0);
    expect(Number(resumes[0])).toBeGreaterThan(0);
    expect(await textOf(lastAnswer(page).locator(".markdown"))).toBe(tokens.join("").trim());
    await context.close();
    relay.close();
  });

  it("uploads images (local and by URL) and sends them with the message; speaks and listens", async () => {
    fake.state.scenario = { tokens: ["A", " pixel."], firstTokenDelayMs: 0, delayMs: 5 };
    const { context, page } = await open(`/chat/${codes.chat}`);
    await page.setInputFiles("#composer-file", { name: "dot.png", mimeType: "image/png", buffer: PNG });
    await page.getByRole("button", { name: "Add a file by URL" }).click();
    await page.fill("#composer-url", remoteFile.url);
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await expect.poll(() => page.locator(".attachment.done").count()).toBe(2);
    // A type the app does not take is refused before any upload.
    await page.setInputFiles("#composer-file", { name: "notes.exe", mimeType: "application/octet-stream", buffer: Buffer.from("MZ") });
    await page.locator(".composer .field-error").filter({ hasText: "not allowed" }).waitFor();
    const sent = page.waitForRequest((req) => req.url().endsWith("/api/chat-messages"));
    await send(page, "what is this?");
    const body = (await sent).postDataJSON();
    expect(body.files).toEqual([
      { type: "image", transfer_method: "local_file", url: "", upload_file_id: expect.any(String) },
      { type: "image", transfer_method: "remote_url", url: remoteFile.url, upload_file_id: expect.any(String) },
    ]);
    await finished(page);
    await expect.poll(() => page.locator(".bubble.question img").count()).toBe(2);

    // Voice input: the fake microphone is recorded as WAV and transcribed by the model server.
    await page.getByRole("button", { name: "Voice input" }).click();
    await page.waitForTimeout(400);
    await page.getByRole("button", { name: "Stop recording" }).click();
    await expect.poll(() => page.inputValue("#message")).toMatch(/^heard \d+ bytes$/);
    expect(fake.state.transcriptions.at(-1)?.contentType).toMatch(/^multipart\/form-data/);
    // Read aloud: the answer goes to the speech endpoint.
    await lastAnswer(page).getByRole("button", { name: "Read aloud" }).click();
    await expect.poll(() => fake.state.speeches.at(-1)).toBe("A pixel.");
    await context.close();
  });

  it("shows the embedded layout on a phone and the full layout's drawer", async () => {
    fake.state.scenario = { tokens: ["Hi", " there."], firstTokenDelayMs: 0, delayMs: 5 };
    const { context, page } = await open(`/chatbot/${codes.chat}`, PHONE);
    await page.getByText("Hello friend! Ask me anything.").waitFor();
    expect(await page.locator(".sidebar").count()).toBe(0);
    await send(page, "hello");
    await finished(page);
    await shot(page, "chatbot-phone");
    await page.goto(`${server.base}/chat/${codes.chat}`);
    await page.getByRole("button", { name: "Menu", exact: true }).click();
    await page.getByRole("navigation", { name: "Conversations" }).locator(".conv").first().waitFor();
    await shot(page, "chat-phone-drawer");
    await context.close();
  });

  it("answers a bad share code and a disabled site with 'App unavailable'", async () => {
    for (const code of ["no-such-code", codes.disabled]) {
      const { context, page } = await open(`/chat/${code}`);
      await page.getByRole("heading", { name: "App unavailable" }).waitFor();
      if (code === codes.disabled) await shot(page, "unavailable");
      await context.close();
    }
  });
});

describe("languages", () => {
  it("speaks the site's default language, else the browser's", async () => {
    const site = await open(`/completion/${codes.chinese}`);
    await site.page.getByRole("button", { name: "运行" }).waitFor();
    expect(await site.page.evaluate(() => document.documentElement.lang)).toBe("zh-Hans");
    await shot(site.page, "completion-zh");
    await site.context.close();
    const browserOnly = await open("/chat/no-such-code", DESKTOP, server.base, "zh-CN");
    await browserOnly.page.getByRole("heading", { name: "应用不可用" }).waitFor();
    await browserOnly.context.close();
  });
});

describe("completion page", () => {
  it("checks inputs, generates, saves, lists and deletes saved, more like this, feedback", async () => {
    const { context, page, errors } = await open(`/completion/${codes.form}`);
    await page.getByRole("heading", { name: "Every Input" }).waitFor();
    for (const label of ["Topic", "Tone", "Notes", "Words", "Formal"]) await page.getByLabel(label, { exact: false }).first().waitFor();
    await page.getByRole("button", { name: "Generate" }).click();
    await page.getByText("Topic is required.").waitFor();
    await page.fill("#input-topic", "x".repeat(20)); // maxlength 12 keeps the box short
    expect((await page.inputValue("#input-topic")).length).toBe(12);
    await page.fill("#input-topic", "rivers");
    await page.fill("#input-words", "abc").catch(() => undefined); // a number box takes no letters
    await page.fill("#input-words", "80");
    await page.check("#input-formal");
    await page.selectOption("#input-tone", "formal");
    fake.state.scenario = { tokens: ["Rivers", " run", " to", " the", " sea."], firstTokenDelayMs: 0, delayMs: 10 };
    const sent = page.waitForRequest((req) => req.url().endsWith("/api/completion-messages"));
    await page.getByRole("button", { name: "Generate" }).click();
    expect((await sent).postDataJSON().inputs).toMatchObject({ topic: "rivers", tone: "formal", words: 80, formal: true, notes: "" });
    const result = page.locator("article.result").first();
    await result.locator(".answer-actions").waitFor();
    expect(await textOf(result.locator(".markdown"))).toBe("Rivers run to the sea.");
    await shot(page, "completion");
    await result.getByRole("button", { name: "Like", exact: true }).click();
    await expect.poll(() => result.getByRole("button", { name: "Like", exact: true }).getAttribute("aria-pressed")).toBe("true");
    await result.getByRole("button", { name: "Save" }).click();
    await page.getByRole("tab", { name: /Saved 1/ }).waitFor();
    fake.state.scenario = { tokens: ["Another", " river."], firstTokenDelayMs: 0, delayMs: 0 };
    await result.getByRole("button", { name: "More like this" }).click();
    await page.locator("article.result").nth(1).getByText("Another river.").waitFor();
    await page.getByRole("tab", { name: /Saved/ }).click();
    await page.locator(".saved-list").getByText("Rivers run to the sea.").waitFor();
    await page.locator(".saved-list").getByRole("button", { name: "Delete" }).click();
    await page.getByText("Nothing saved yet.").waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });

  it("stops a generation", async () => {
    fake.state.scenario = { tokens: WORDS(300, "c"), firstTokenDelayMs: 0, delayMs: 25 };
    const { context, page } = await open(`/completion/${codes.completion}`);
    await page.fill("#input-topic", "time");
    await page.getByRole("button", { name: "Generate" }).click();
    await page.locator("article.result .markdown").filter({ hasText: "c3" }).waitFor();
    await page.getByRole("button", { name: "Stop" }).click();
    await page.locator("article.result.stopped").waitFor();
    expect(await page.locator("article.result .markdown").textContent()).not.toContain("c299");
    await context.close();
  });
});

describe("sign-in", () => {
  it("sends a private app to sign-in, signs in by password, returns to the app, signs out", async () => {
    fake.state.scenario = { tokens: ["Signed", " in."], firstTokenDelayMs: 0, delayMs: 5 };
    const { context, page } = await open(`/chat/${codes.privateChat}`);
    await page.waitForURL(/\/webapp-signin\?redirect_url=/);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await shot(page, "signin");
    await page.fill("#email", "ann@example.com");
    await page.fill("#password", "wrong-password1");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("alert").waitFor();
    await page.fill("#password", "Passw0rd!");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${server.base}/chat/${codes.privateChat}`);
    await send(page, "hello");
    await finished(page);
    expect(await textOf(lastAnswer(page).locator(".markdown"))).toBe("Signed in.");
    // The passport is in an HttpOnly cookie the page cannot read.
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === `passport-${codes.privateChat}`)).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/api" });
    expect(await page.evaluate(() => document.cookie)).toBe("");
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain("ey");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/webapp-signin/);
    expect((await context.cookies()).find((c) => c.name === `passport-${codes.privateChat}`)).toBeUndefined();
    await context.close();
  });

  it("signs in with an emailed code", async () => {
    const { context, page } = await open(`/webapp-signin?redirect_url=${encodeURIComponent(`/chat/${codes.privateChat}`)}`);
    await page.getByRole("button", { name: "Sign in with an email code" }).click();
    await page.fill("#email", "ann@example.com");
    await page.getByRole("button", { name: "Send code" }).click();
    await page.getByText("We sent a 6-digit code").waitFor();
    const outbox = await (await fetch(`${server.base}/admin/outbox?to=ann@example.com&limit=1`, { headers: ADMIN() })).json();
    await page.fill("#code", /\b(\d{6})\b/.exec(outbox.data[0].text)![1]);
    await page.getByRole("button", { name: "Verify" }).click();
    await page.waitForURL(`${server.base}/chat/${codes.privateChat}`);
    await page.locator("#message").waitFor();
    await context.close();
  });
});

describe("the passport cookie and other sites", () => {
  it("is not sent, and not accepted, when another site calls the API", async () => {
    const { context, page } = await open(`/chat/${codes.chat}`);
    await page.locator("#message").waitFor();
    expect((await context.cookies()).some((c) => c.name === `passport-${codes.chat}`)).toBe(true);
    other.pages.set(
      "/steal.html",
      `<!doctype html><script>
        fetch(${JSON.stringify(`${server.base}/api/conversations?limit=20`)}, { credentials: "include", headers: { "X-App-Code": ${JSON.stringify(codes.chat)} } })
          .then((r) => r.json().then((b) => { document.title = r.status + " " + b.code; }), (e) => { document.title = "blocked " + e.message; });
      </script>`,
    );
    const evil = await context.newPage();
    await evil.goto(`${other.origin}/steal.html`);
    // CORS (default *) lets the page read the answer, and the answer is a 401: no cookie came along.
    await expect.poll(() => evil.title()).toBe("401 unauthorized");
    // A same-site origin (which SameSite lets through) carrying the cookie is refused by the API too.
    const token = (await context.cookies()).find((c) => c.name === `passport-${codes.chat}`)!.value;
    const res = await fetch(`${server.base}/api/conversations`, { headers: { "X-App-Code": codes.chat, Cookie: `passport-${codes.chat}=${token}`, Origin: `http://127.0.0.1:1` } });
    expect(res.status).toBe(401);
    await context.close();
  });
});

describe("website embed", () => {
  it("adds a chat bubble to a plain page that opens /chatbot/<code> in an iframe", async () => {
    fake.state.scenario = { tokens: ["Embedded", " hello."], firstTokenDelayMs: 0, delayMs: 5 };
    other.pages.set(
      "/site.html",
      `<!doctype html><html><head><title>A site</title></head><body><h1>ACME</h1><p>Our product page.</p>
      <script>window.difyChatbotConfig = { token: ${JSON.stringify(codes.chat)}, baseUrl: ${JSON.stringify(server.base)}, inputs: { name: "Embedder" }, systemVariables: { user_id: "visitor-42" } };</script>
      <script src="${server.base}/embed.min.js" id="${codes.chat}" defer></script></body></html>`,
    );
    const { context, page } = await open("/health");
    await page.goto(`${other.origin}/site.html`);
    const bubble = page.locator("#dify-chatbot-bubble-button");
    await bubble.click();
    const frame = page.frameLocator("#dify-chatbot-bubble-window");
    await frame.getByText("Hello Embedder! Ask me anything.").waitFor();
    await frame.locator("#message").fill("hi from the site");
    await frame.locator("#message").press("Enter");
    await frame.locator("article.answer .answer-actions").waitFor();
    expect(await textOf(frame.locator("article.answer .markdown").last())).toBe("Embedded hello.");
    await shot(page, "embed");
    // Escape on the site's page closes the window; the bubble works from the keyboard too.
    await page.getByRole("heading", { name: "ACME" }).click();
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("#dify-chatbot-bubble-window").isVisible()).toBe(false);
    await bubble.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => page.locator("#dify-chatbot-bubble-window").isVisible()).toBe(true);
    await context.close();
  });
});

describe("/docs", () => {
  it("renders Swagger UI over /api/openapi.json from the worker's own assets, and tries a call", async () => {
    const { context, page, errors } = await open("/docs");
    const outside: string[] = [];
    page.on("request", (req) => !req.url().startsWith(server.base) && !req.url().startsWith("data:") && outside.push(req.url()));
    await page.locator(".swagger-ui .info .title").filter({ hasText: "Dify Web API" }).waitFor();
    await page.locator("#operations-passport-get_api_passport").click();
    // Try it out against this origin, with the share code through the declared appCode scheme.
    await page.getByRole("button", { name: "Authorize" }).first().click();
    await page.locator(".auth-container").filter({ hasText: "appCode" }).locator("input").fill(codes.chat);
    await page.locator(".auth-container").filter({ hasText: "appCode" }).locator("button.authorize").click();
    await page.locator(".modal-ux button.btn-done").first().click();
    await page.getByRole("button", { name: "Execute" }).click();
    await page.locator(".live-responses-table .response-col_status").filter({ hasText: "200" }).waitFor();
    expect(await page.locator(".live-responses-table .highlight-code").first().textContent()).toContain("access_token");
    await shot(page, "docs");
    expect(outside).toEqual([]);
    expect(errors.filter((e) => !/Content Security Policy/.test(e))).toEqual([]);
    await context.close();
  });
});
