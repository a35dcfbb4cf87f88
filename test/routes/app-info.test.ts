import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { metaResponse, parametersResponse, siteResponse } from "../../src/schemas/app-info";
import { invalidateAppCache } from "../../src/services/apps/app-registry";
import { verifyFileSignature } from "../../src/lib/file-signing";
import { admin, appSession, call, expectError, expectShape, json, SECRET_KEY } from "../helpers/api";
import { demoApp, fixture } from "../helpers/fixtures";

const SYSTEM_PARAMETERS = {
  image_file_size_limit: 10,
  video_file_size_limit: 100,
  audio_file_size_limit: 50,
  file_size_limit: 15,
  workflow_file_upload_limit: 10,
};

describe("GET /api/site", () => {
  it("returns the site with the exact key set", async () => {
    const { app, get } = await appSession(demoApp("chat"));
    const body = await expectShape(await get("/api/site"), siteResponse);
    const endUser = await env.DB.prepare("SELECT id FROM end_users WHERE app_id = ?").bind(app.app_id).first<string>("id");
    expect(body).toMatchObject({
      app_id: app.app_id,
      end_user_id: endUser,
      enable_site: true,
      model_config: null,
      plan: "basic",
      can_replace_logo: false,
      custom_config: null,
    });
    expect(body.site).toMatchObject({
      title: "Demo Chat",
      icon_type: "emoji",
      icon: "\u{1F916}",
      icon_background: "#D5F5F6",
      icon_url: null,
      description: "A demo chat assistant served by the Dify Web API on Workers.",
      default_language: "en-US",
      chat_color_theme: null,
      chat_color_theme_inverted: false,
      prompt_public: false,
      show_workflow_steps: true,
      use_icon_as_answer_icon: false,
    });
  });

  it("reflects admin site settings and signs image icons", async () => {
    const { app, get } = await appSession(demoApp("chat"));
    const fileId = crypto.randomUUID();
    const res = await admin(
      `/admin/apps/${app.app_id}`,
      json({ icon_type: "image", icon: fileId, site: { title: "Renamed", copyright: "ACME", chat_color_theme: "#123456", prompt_public: true } }, { method: "PATCH" }),
    );
    expect(res.status).toBe(200);
    const body = await expectShape(await get("/api/site"), siteResponse);
    expect(body.site).toMatchObject({ title: "Renamed", copyright: "ACME", chat_color_theme: "#123456", prompt_public: true, icon_type: "image", icon: fileId });
    const url = new URL(body.site.icon_url!);
    expect(url.pathname).toBe(`/files/${fileId}/file-preview`);
    expect(url.searchParams.get("nonce")).toMatch(/^[0-9a-f]{32}$/);
    const ok = await verifyFileSignature({ secretKey: SECRET_KEY, accessTimeout: 300 }, fileId, {
      timestamp: url.searchParams.get("timestamp"),
      nonce: url.searchParams.get("nonce"),
      sign: url.searchParams.get("sign"),
    });
    expect(ok).toBe(true);
    const forged = await verifyFileSignature({ secretKey: SECRET_KEY, accessTimeout: 300 }, crypto.randomUUID(), {
      timestamp: url.searchParams.get("timestamp"),
      nonce: url.searchParams.get("nonce"),
      sign: url.searchParams.get("sign"),
    });
    expect(forged).toBe(false);
  });

  it("answers 403 forbidden when the tenant is archived", async () => {
    const { app, get } = await appSession(demoApp("chat"));
    await env.DB.prepare("UPDATE tenants SET status = 'archive' WHERE id = (SELECT tenant_id FROM apps WHERE id = ?)").bind(app.app_id).run();
    invalidateAppCache();
    await expectError(await get("/api/site"), 403, "forbidden");
    await env.DB.prepare("UPDATE tenants SET status = 'normal'").run();
    invalidateAppCache();
  });
});

describe("GET /api/parameters", () => {
  it("maps an easy-UI chat app's model config", async () => {
    const { get } = await appSession(demoApp("chat"));
    const body = await expectShape(await get("/api/parameters"), parametersResponse);
    expect(body).toEqual({
      opening_statement: "Hello {{name}}! Ask me anything.",
      suggested_questions: ["What can you do?", "Tell me a short story."],
      suggested_questions_after_answer: { enabled: true },
      speech_to_text: { enabled: false },
      text_to_speech: { enabled: false },
      retriever_resource: { enabled: false },
      annotation_reply: { enabled: false },
      more_like_this: { enabled: false },
      user_input_form: [{ "text-input": { variable: "name", label: "Your name", required: false, max_length: 48, default: "friend" } }],
      sensitive_word_avoidance: { enabled: false },
      file_upload: { image: { enabled: true, number_limits: 3, detail: "high", transfer_methods: ["local_file", "remote_url"] } },
      system_parameters: SYSTEM_PARAMETERS,
    });
  });

  it("reads NULL columns back with Dify's defaults (retriever_resource enabled)", async () => {
    const yaml = demoApp("completion").replace(/  retriever_resource:\n    enabled: false\n/, "").replace(/  sensitive_word_avoidance:\n    enabled: false\n/, "");
    const { get } = await appSession(yaml.replace(/  file_upload:[\s\S]*?(?=  user_input_form)/, ""));
    const body = await expectShape(await get("/api/parameters"), parametersResponse);
    expect(body.retriever_resource).toEqual({ enabled: true });
    expect(body.sensitive_word_avoidance).toEqual({ enabled: false, type: "", config: {} });
    expect(body.user_input_form.map((item) => Object.keys(item)[0])).toEqual(["text-input", "select"]);
    expect(body.file_upload).toEqual({ image: { enabled: false, number_limits: 3, detail: "high", transfer_methods: ["remote_url", "local_file"] } });
  });

  it("takes workflow apps' features and start-node variables in the old structure", async () => {
    const { get } = await appSession(fixture("conditional_streaming_vs_template_workflow"));
    const body = await expectShape(await get("/api/parameters"), parametersResponse);
    expect(body.user_input_form).toHaveLength(2);
    expect(body.user_input_form[0]).toHaveProperty("text-input.variable", "query");
    expect(body.user_input_form[1]).toHaveProperty("number.variable", "blocking");
    expect(body.retriever_resource).toEqual({ enabled: true });
    expect(body.more_like_this).toEqual({ enabled: false });
    expect(body.system_parameters).toEqual(SYSTEM_PARAMETERS);
  });

  it("defaults features a workflow omits to disabled", async () => {
    const { get } = await appSession(fixture("hitl-main"));
    const body = await expectShape(await get("/api/parameters"), parametersResponse);
    expect(body.annotation_reply).toEqual({ enabled: false });
    expect(body.sensitive_word_avoidance).toMatchObject({ enabled: false });
  });

  it("passes an advanced-chat export's full features block through", async () => {
    const { get } = await appSession(fixture("echo-chat"));
    const body = await expectShape(await get("/api/parameters"), parametersResponse);
    expect(body.file_upload).toHaveProperty("enabled");
    expect(body.user_input_form[0]).toHaveProperty("text-input");
  });

  it("answers 400 app_unavailable when the app has no model config", async () => {
    const { app, get } = await appSession(demoApp("completion"));
    await env.DB.prepare("UPDATE apps SET app_model_config_id = NULL WHERE id = ?").bind(app.app_id).run();
    invalidateAppCache(app.app_id);
    await expectError(await get("/api/parameters"), 400, "app_unavailable", "App unavailable, please check your app configurations.");
  });
});

describe("GET /api/meta", () => {
  it("is empty for apps without tools", async () => {
    const { get } = await appSession(demoApp("chat"));
    expect(await expectShape(await get("/api/meta"), metaResponse)).toEqual({ tool_icons: {} });
  });

  it("lists built-in agent tool icons", async () => {
    const yaml = `${demoApp("chat").replace("mode: chat", "mode: agent-chat").replace(/agent_mode:\n    enabled: false\n    tools: \[\]/, `agent_mode:
    enabled: true
    strategy: function_call
    tools:
      - provider_id: time
        provider_name: time
        provider_type: builtin
        tool_label: Current Time
        tool_name: current_time
        tool_parameters: {}`)}`;
    const { get } = await appSession(yaml);
    const body = await expectShape(await get("/api/meta"), metaResponse);
    expect(body.tool_icons.current_time).toMatch(/\/console\/api\/workspaces\/current\/tool-provider\/builtin\/time\/icon$/);
    const icon = await call(new URL(body.tool_icons.current_time as string).pathname);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("Content-Type")).toBe("image/svg+xml");
    expect(await icon.text()).toMatch(/^<svg .*>T<\/text><\/svg>$/);
  });
});
