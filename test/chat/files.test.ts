// Files as inputs of chat and completion (issue 5 item 4): owned uploads and remote URLs reach a
// vision model as image parts, become message_files rows, and show in /messages and message_end.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { messagePage } from "../../src/schemas/conversations";
import { appSession, call, expectError, expectShape, json, passport } from "../helpers/api";
import { chatYaml, registerFakeProvider, settledMessage } from "../helpers/chat";
import { completionYaml } from "../helpers/completion";
import { FAKE_BASE, fakeOpenAIHandler } from "../helpers/fake-openai";
import { fakeInternet } from "../helpers/fake-internet";
import { fileForm, PNG_1X1, postMultipart } from "../helpers/files";
import { readSse } from "../helpers/sse";

afterEach(() => vi.restoreAllMocks());

const FAKE_HOST = new URL(FAKE_BASE).host;

/** The fake model and a public image host, behind one fetch stub. */
function world() {
  const model = fakeOpenAIHandler();
  const internet = fakeInternet(
    {
      [FAKE_HOST]: model.handler,
      "images.example.com": () => new Response(PNG_1X1, { headers: { "Content-Type": "image/png" } }),
    },
    { "images.example.com": ["93.184.216.34"] },
  );
  return { model, internet };
}

async function setup(yaml = chatYaml()) {
  const w = world();
  await registerFakeProvider();
  const session = await appSession(yaml);
  const upload = async (s: { app: { app_id: string; site_code: string }; token: string } = session) => {
    const res = await postMultipart(s, "/api/files/upload", fileForm("pixel.png", "image/png", PNG_1X1));
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  return { ...w, session, upload };
}

describe("chat with files", () => {
  it("sends an uploaded image and a remote image to the model and records both", async () => {
    const { model, session, upload } = await setup();
    const uploadId = await upload();
    const res = await session.get(
      "/api/chat-messages",
      json({
        inputs: {},
        query: "what is in these?",
        response_mode: "streaming",
        files: [
          { type: "image", transfer_method: "local_file", upload_file_id: uploadId, url: "" },
          { type: "image", transfer_method: "remote_url", url: "https://images.example.com/cat.png" },
        ],
      }),
    );
    const read = await readSse(res.body!);
    const last = model.requests[0].body.messages.at(-1);
    expect(last.role).toBe("user");
    expect(last.content[0]).toEqual({ type: "text", text: "what is in these?" });
    expect(last.content.slice(1)).toEqual([
      { type: "image_url", image_url: { url: expect.stringMatching(/^data:image\/png;base64,iVBOR/), detail: "high" } },
      { type: "image_url", image_url: { url: expect.stringMatching(/^data:image\/png;base64,iVBOR/), detail: "high" } },
    ]);
    const end = read.events.at(-1)!.data;
    expect(end.event).toBe("message_end");
    expect(end.files).toHaveLength(2);
    expect(end.files[0]).toMatchObject({ extension: ".png", filename: "pixel.png", mime_type: "image/png", transfer_method: "local_file", type: "image", upload_file_id: uploadId, remote_url: null });
    expect(end.files[0].url).toMatch(/\/files\/[0-9a-f-]+\/file-preview\?timestamp=/);
    expect(end.files[1]).toMatchObject({ transfer_method: "remote_url", remote_url: "https://images.example.com/cat.png", url: "https://images.example.com/cat.png" });

    const messageId = read.events[0].data.message_id;
    await settledMessage(messageId);
    const list = await expectShape(await session.get(`/api/messages?conversation_id=${read.events[0].data.conversation_id}`), messagePage);
    const files = list.data[0].message_files;
    expect(files.map((f) => [f.transfer_method, f.belongs_to, f.type, f.filename])).toEqual([
      ["local_file", "user", "image", "pixel.png"],
      ["remote_url", "user", "image", "cat.png"],
    ]);
    expect(files[0].url).toMatch(/\/file-preview\?/);
    expect(files[0].upload_file_id).toBe(uploadId);
    const preview = await call(new URL(files[0].url!).pathname + new URL(files[0].url!).search);
    expect(new Uint8Array(await preview.arrayBuffer())).toEqual(PNG_1X1);
  });

  it("refuses another end user's upload as missing and keeps the request unsent", async () => {
    const { model, session, upload } = await setup();
    const theirs = await passport(session.app.site_code, "someone-else");
    const foreign = await upload({ app: session.app, token: theirs });
    const before = await env.DB.prepare("SELECT COUNT(*) AS n FROM messages").first("n");
    const res = await session.get("/api/chat-messages", json({ inputs: {}, query: "x", files: [{ type: "image", transfer_method: "local_file", upload_file_id: foreign }] }));
    await expectError(res, 404, "not_found");
    expect(model.requests).toHaveLength(0);
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM messages").first("n")).toBe(before);
  });

  it("enforces number_limits and refuses blocked hosts before any fetch", async () => {
    const { internet, session, upload } = await setup();
    const id = await upload();
    const four = Array.from({ length: 4 }, () => ({ type: "image", transfer_method: "local_file", upload_file_id: id }));
    await expectError(await session.get("/api/chat-messages", json({ inputs: {}, query: "x", files: four })), 400, "invalid_param", /exceeds the maximum limit 3/);
    const res = await session.get("/api/chat-messages", json({ inputs: {}, query: "x", files: [{ type: "image", transfer_method: "remote_url", url: "http://169.254.169.254/latest/meta-data" }] }));
    await expectError(res, 400, "remote_file_url_blocked");
    expect(internet.requests.filter((r) => r.url.includes("169.254"))).toHaveLength(0);
  });

  it("ignores files when the app's file upload is off, as Dify does", async () => {
    const { model, session } = await setup(chatYaml((y) => y.replace("    image:\n      enabled: true", "    image:\n      enabled: false")));
    const res = await session.get("/api/chat-messages", json({ inputs: {}, query: "plain", response_mode: "blocking", files: [{ type: "image", transfer_method: "local_file", upload_file_id: crypto.randomUUID() }] }));
    expect(res.status).toBe(200);
    expect(model.requests[0].body.messages.at(-1)).toEqual({ role: "user", content: "plain" });
  });
});

describe("completion with files", () => {
  it("attaches images to the prompt and more-like-this sends them again", async () => {
    const yaml = completionYaml((y) => y.replace("  user_input_form:", "  file_upload:\n    image:\n      enabled: true\n      number_limits: 2\n      detail: low\n      transfer_methods: [local_file, remote_url]\n  user_input_form:"));
    const { model, session, upload } = await setup(yaml);
    const id = await upload();
    const res = await session.get(
      "/api/completion-messages",
      json({ inputs: { topic: "pixels", tone: "formal" }, response_mode: "blocking", files: [{ type: "image", transfer_method: "local_file", upload_file_id: id }] }),
    );
    const body = (await res.json()) as { message_id: string };
    expect(model.requests[0].body.messages[0].content[1]).toEqual({ type: "image_url", image_url: { url: expect.stringMatching(/^data:image\/png/), detail: "low" } });
    await settledMessage(body.message_id);
    const again = await session.get(`/api/messages/${body.message_id}/more-like-this?response_mode=blocking`);
    expect(again.status).toBe(200);
    expect(model.requests[1].body.messages).toEqual(model.requests[0].body.messages);
  });
});
