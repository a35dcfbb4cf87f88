import { env } from "cloudflare:workers";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { parametersResponse } from "../../src/schemas/app-info";
import { admin, appSession, call, expectError, expectShape, importDsl, json, passport } from "../helpers/api";
import { demoApp, FIXTURE_NAMES, fixture } from "../helpers/fixtures";

const PLUGIN_TOOL_FIXTURES: Record<string, string[]> = {
  "investment-analysis-agent-chat": ["yahoo/yahoo_finance_analytics", "yahoo/yahoo_finance_news", "yahoo/yahoo_finance_ticker"],
  http_request_with_json_tool_workflow: ["builtin/json_parse"],
};

const importYaml = (body: string, contentType = "application/yaml") =>
  admin("/admin/apps/import", { method: "POST", headers: { "Content-Type": contentType }, body });

const count = async (table: string) => (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<number>("n"))!;

describe("POST /admin/apps/import", () => {
  for (const name of FIXTURE_NAMES) {
    if (PLUGIN_TOOL_FIXTURES[name]) {
      it(`refuses ${name}, naming every plugin tool`, async () => {
        const body = await expectError(await importYaml(fixture(name)), 400, "invalid_dsl");
        for (const tool of PLUGIN_TOOL_FIXTURES[name]) expect(body.message).toContain(tool);
      });
    } else {
      it(`imports ${name} and serves it through the passport`, async () => {
        const doc = parse(fixture(name));
        const res = await importYaml(fixture(name));
        const result = (await res.json()) as Record<string, unknown>;
        expect(res.status, JSON.stringify(result)).toBe(201);
        expect(Object.keys(result).sort()).toEqual(["app_id", "mode", "name", "site_code", "warnings"]);
        expect(result).toMatchObject({ mode: doc.app.mode, name: doc.app.name });
        expect(result.site_code).toMatch(/^[A-Za-z0-9]{16}$/);
        const token = await passport(result.site_code as string);
        const headers = { "X-App-Code": result.site_code as string, "X-App-Passport": token };
        expect((await call("/api/site", { headers })).status).toBe(200);
        expect((await call("/api/meta", { headers })).status).toBe(200);
        await expectShape(await call("/api/parameters", { headers }), parametersResponse);
      });
    }
  }

  it("warns about python code nodes and unconfigured model providers", async () => {
    const { warnings } = await importDsl(fixture("iteration_flatten_output_enabled_workflow"));
    expect(warnings.some((w) => w.includes("CODE_EXECUTION_ENDPOINT") && w.includes("python3"))).toBe(true);
    const chat = await importDsl(fixture("article-grading-chat"));
    expect(chat.warnings).toEqual([expect.stringContaining('model provider "openai" is not configured')]);
  });

  it("reads YAML 1.1 as PyYAML does: y and n are names, yes/on/off are booleans", async () => {
    const yaml = demoApp("chat").replace(
      "    - text-input:\n        variable: name\n        label: Your name\n        required: false\n",
      "    - text-input:\n        variable: y\n        label: Y\n        required: yes\n    - text-input:\n        variable: n\n        label: N\n        required: off\n    - text-input:\n        variable: name\n        label: Your name\n        required: false\n",
    );
    expect(yaml).toContain("variable: y\n");
    const { site_code } = await importDsl(yaml);
    const token = await passport(site_code);
    const params = (await (await call("/api/parameters", { headers: { "X-App-Code": site_code, "X-App-Passport": token } })).json()) as { user_input_form: Record<string, { variable: unknown; required: unknown }>[] };
    expect(params.user_input_form.map((item) => [item["text-input"].variable, item["text-input"].required])).toEqual([
      ["y", true],
      ["n", false],
      ["name", false],
    ]);
  });

  it("accepts JSON {yaml_content} and text/yaml", async () => {
    const res = await admin("/admin/apps/import", json({ yaml_content: demoApp("chat") }));
    expect(res.status).toBe(201);
    expect((await importYaml(demoApp("completion"), "text/yaml; charset=utf-8")).status).toBe(201);
    await expectError(await admin("/admin/apps/import", json({})), 400, "invalid_param", /yaml_content is required/);
    await expectError(await admin("/admin/apps/import", json({ yaml_content: 3 })), 400, "invalid_param", /^yaml_content:/);
  });

  it("refuses malformed YAML, unknown modes, newer versions and missing sections with invalid_dsl", async () => {
    await expectError(await importYaml("app: [unclosed"), 400, "invalid_dsl", /^Invalid YAML format/);
    await expectError(await importYaml("- just\n- a list"), 400, "invalid_dsl", /must be a mapping/);
    await expectError(await importYaml("version: 0.6.0\nkind: app\n"), 400, "invalid_dsl", /Missing app data/);
    await expectError(await importYaml("app:\n  mode: rag-pipeline\n  name: x\n"), 400, "invalid_dsl", /Invalid app mode: "rag-pipeline"/);
    await expectError(await importYaml(demoApp("chat").replace("version: 0.6.0", "version: 0.7.0")), 400, "invalid_dsl", /newer than the supported 0\.6\.0/);
    await expectError(await importYaml(demoApp("chat").replace("version: 0.6.0", "version: 0.1")), 400, "invalid_dsl", /version must be a quoted string/);
    await expectError(await importYaml("app:\n  mode: chat\n  name: x\n"), 400, "invalid_dsl", /Missing model_config for chat app/);
    await expectError(await importYaml("app:\n  mode: workflow\n  name: x\n"), 400, "invalid_dsl", /Missing workflow data/);
  });

  it("names every offending item of a graph in one message", async () => {
    const yaml = `app: {mode: workflow, name: broken}
version: "0.3.1"
workflow:
  graph:
    nodes:
      - {id: "a", data: {type: start, title: Start, variables: []}}
      - {id: "b", data: {type: start, title: Start 2, variables: []}}
      - {id: "kr", data: {type: knowledge-retrieval, title: Docs}}
      - {id: "ag", data: {type: agent, title: Agent}}
      - {id: "t", data: {type: tool, title: Search, provider_type: plugin, provider_id: langgenius/google/google, tool_name: google_search}}
      - {id: "x", data: {type: teleport, title: Beam}}
      - {id: "note", type: custom-note, data: {type: "", title: ""}}
    edges:
      - {id: e1, source: a, target: ghost}
`;
    const body = await expectError(await importYaml(yaml), 400, "invalid_dsl");
    for (const part of ["2 start nodes", "knowledge retrieval node", "agent node", "langgenius/google/google/google_search", 'unknown type "teleport"', 'target node "ghost" does not exist']) {
      expect(body.message).toContain(part);
    }
  });

  it("writes nothing when the batch fails part-way", async () => {
    const before = { apps: await count("apps"), configs: await count("app_model_configs") };
    await env.DB.exec("CREATE TRIGGER fail_site BEFORE INSERT ON sites BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;");
    try {
      const res = await importYaml(demoApp("chat"));
      const body = await expectError(res, 500, "internal_server_error", /Request id: [0-9a-f-]{36}\.$/);
      expect(JSON.stringify(body)).not.toContain("disk on fire");
    } finally {
      await env.DB.exec("DROP TRIGGER fail_site;");
    }
    expect({ apps: await count("apps"), configs: await count("app_model_configs") }).toEqual(before);
  });
});

describe("app administration", () => {
  it("exports YAML that imports back to an equivalent app", async () => {
    for (const name of ["article-grading-chat", "sql-creator-completion", "echo-chat", "hitl-main", "dual_switch_variable_aggregator_workflow"]) {
      const first = await appSession(fixture(name));
      const exported = await admin(`/admin/apps/${first.app.app_id}/export`);
      expect(exported.status).toBe(200);
      expect(exported.headers.get("Content-Type")).toMatch(/^application\/yaml/);
      const yaml = await exported.text();
      const doc = parse(yaml);
      expect(Object.keys(doc)).toEqual(["app", "dependencies", "kind", "version", ...(doc.model_config ? ["model_config"] : []), ...(doc.workflow ? ["workflow"] : [])].sort());
      const second = await appSession(yaml);
      expect(second.app.mode).toBe(first.app.mode);
      const [a, b] = await Promise.all([first, second].map(async (s) => (await s.get("/api/parameters")).json()));
      expect(b).toEqual(a);
      const [da, db] = await Promise.all([first, second].map(async (s) => (await admin(`/admin/apps/${s.app.app_id}`)).json() as Promise<Record<string, any>>));
      expect(db.model_config).toEqual(da.model_config);
      expect(db.workflow?.graph).toEqual(da.workflow?.graph);
      expect(db.workflow?.features).toEqual(da.workflow?.features);
    }
  });

  it("blanks secret environment variables on export and stores them encrypted", async () => {
    const yaml = fixture("hitl-main").replace(/environment_variables: \[\]/, "environment_variables:\n    - {name: api_token, value_type: secret, value: s3cr3t, id: 6f1c2d52-5d2c-4c43-9f57-6c1f2c6a2b10, selector: [env, api_token]}\n    - {name: region, value_type: string, value: eu, id: 0b9d1f4e-55a3-4a8c-a9d8-3b2f1c0e7d61, selector: [env, region]}");
    expect(yaml).toContain("s3cr3t");
    const { app_id } = await importDsl(yaml);
    const stored = await env.DB.prepare("SELECT environment_variables AS v FROM workflows WHERE app_id = ?").bind(app_id).first<string>("v");
    expect(stored).not.toContain("s3cr3t");
    const exported = parse(await (await admin(`/admin/apps/${app_id}/export`)).text());
    expect(exported.workflow.environment_variables).toEqual([
      expect.objectContaining({ name: "api_token", value: "" }),
      expect.objectContaining({ name: "region", value: "eu" }),
    ]);
  });

  it("lists, reads, updates and deletes apps", async () => {
    const imported = await importDsl(demoApp("completion"));
    const list = (await (await admin("/admin/apps?limit=100")).json()) as { data: { id: string; site_code: string }[]; has_more: boolean; total: number };
    expect(list.data.find((a) => a.id === imported.app_id)?.site_code).toBe(imported.site_code);
    expect(list.has_more).toBe(false);
    const page = (await (await admin("/admin/apps?limit=1&page=1")).json()) as { data: unknown[]; has_more: boolean };
    expect(page.data).toHaveLength(1);
    expect(page.has_more).toBe(true);

    const detail = (await (await admin(`/admin/apps/${imported.app_id}`)).json()) as Record<string, any>;
    expect(detail).toMatchObject({ id: imported.app_id, mode: "completion", access_mode: "public", site: { code: imported.site_code } });
    expect(detail.model_config.more_like_this).toEqual({ enabled: true });

    const patched = await admin(`/admin/apps/${imported.app_id}`, json({ name: "Renamed", max_active_requests: 3, site: { custom_disclaimer: "Be nice", show_workflow_steps: false } }, { method: "PATCH" }));
    expect(await patched.json()).toMatchObject({ name: "Renamed", max_active_requests: 3, site: { custom_disclaimer: "Be nice", show_workflow_steps: false } });
    await expectError(await admin(`/admin/apps/${imported.app_id}`, json({ site: { custom_disclaimer: "x".repeat(513) } }, { method: "PATCH" })), 400, "invalid_param", /^site\.custom_disclaimer:/);
    await expectError(await admin(`/admin/apps/${imported.app_id}`, json({ colour: "red" }, { method: "PATCH" })), 400, "invalid_param");

    const token = await passport(imported.site_code);
    expect((await admin(`/admin/apps/${imported.app_id}`, { method: "DELETE" })).status).toBe(204);
    await expectError(await admin(`/admin/apps/${imported.app_id}`), 404, "not_found", "App not found.");
    await expectError(await call("/api/site", { headers: { "X-App-Passport": token } }), 404, "not_found");
    await expectError(await call("/api/passport", { headers: { "X-App-Code": imported.site_code } }), 404, "not_found");
    const leftovers = await env.DB.prepare("SELECT (SELECT COUNT(*) FROM sites WHERE app_id = ?1) + (SELECT COUNT(*) FROM end_users WHERE app_id = ?1) + (SELECT COUNT(*) FROM app_model_configs WHERE app_id = ?1) AS n").bind(imported.app_id).first<number>("n");
    expect(leftovers).toBe(0);
    await expectError(await admin(`/admin/apps/${imported.app_id}`, { method: "DELETE" }), 404, "not_found");
    await expectError(await admin("/admin/apps/not-a-uuid"), 404, "not_found");
  });

  it("requires the admin key on every call", async () => {
    for (const [path, method] of [["/admin/apps", "GET"], ["/admin/apps/import", "POST"], ["/admin/model-providers", "GET"], [`/admin/apps/${crypto.randomUUID()}`, "DELETE"]]) {
      const missing = await call(path, { method });
      await expectError(missing, 401, "unauthorized");
      expect(missing.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
      await expectError(await call(path, { method, headers: { Authorization: "Bearer wrong-key" } }), 401, "unauthorized");
      await expectError(await call(path, { method, headers: { Authorization: "Basic dGVzdDp0ZXN0" } }), 401, "unauthorized");
    }
  });
});
