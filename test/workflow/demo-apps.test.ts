// The demo apps `npm run dev` seeds run end to end on the built-in echo model.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { appSession, call, json } from "../helpers/api";
import { demoApp } from "../helpers/fixtures";
import { readSse } from "../helpers/sse";

describe("demo apps", () => {
  it("Demo Approval pauses for a person and the chosen branch answers", async () => {
    const session = await appSession(demoApp("approval"));
    const read = await readSse((await session.get("/api/workflows/run", json({ inputs: { request: "Please refund order 42" } }))).body!);
    expect(read.events.at(-1)!.data.event).toBe("workflow_paused");
    const form = read.events.find((e) => e.data.event === "human_input_required")!.data.data;
    expect(form.form_content).toBe("Draft reply:\n\nYou said: Please refund order 42\n\nYour note: {{#$output.note#}}");
    expect(form.resolved_default_values).toEqual({ note: "Looks good." });
    const got = await call(`/api/form/human_input/${form.form_token}`);
    expect(got.status).toBe(200);
    const submit = await call(`/api/form/human_input/${form.form_token}`, json({ inputs: { note: "Ship it" }, action: "approve" }));
    expect(submit.status).toBe(200);
    const runId = read.events[0].data.task_id;
    const rest = await readSse((await session.get(`/api/workflow/${runId}/events?cursor=${read.events.length}`)).body!);
    expect(rest.events.at(-1)!.data.data).toMatchObject({ status: "succeeded", outputs: { result: "You said: Please refund order 42", note: "Ship it" } });
    const row = await env.DB.prepare("SELECT status FROM workflow_runs WHERE id = ?").bind(runId).first<{ status: string }>();
    expect(row!.status).toBe("succeeded");
  });

  it("Demo Workflow drafts on echo and formats with a Jinja2 template, by branch", async () => {
    const session = await appSession(demoApp("workflow"));
    const run = async (topic: string) => {
      const read = await readSse((await session.get("/api/workflows/run", json({ inputs: { topic } }))).body!);
      const finished = read.events.at(-1)!.data;
      expect(finished.event).toBe("workflow_finished");
      const templates = read.events.filter((e) => e.data.event === "node_finished" && e.data.data.node_type === "template-transform");
      expect(templates.map((e) => e.data.data.status)).toEqual(["succeeded"]);
      return finished.data;
    };
    expect(await run("edge computing")).toMatchObject({ status: "succeeded", outputs: { result: "You said: edge computing\n— the demo workflow" } });
    expect(await run("workers")).toMatchObject({ status: "succeeded", outputs: { result: "A one-word topic: YOU SAID: WORKERS" } });
  });

  it("Demo Chatflow remembers the conversation and counts turns", async () => {
    const session = await appSession(demoApp("chatflow"));
    const send = (body: Record<string, unknown>) => session.get("/api/chat-messages", json({ inputs: {}, response_mode: "streaming", conversation_id: "", ...body }));
    const first = await readSse((await send({ query: "hello" })).body!);
    const answer = (r: typeof first) => r.events.filter((e) => e.data.event === "message").map((e) => e.data.answer).join("");
    expect(answer(first)).toBe("You said: hello\n\n(turn 1)");
    const conversationId = first.events[0].data.conversation_id;
    const second = await readSse((await send({ query: "again", conversation_id: conversationId })).body!);
    expect(answer(second)).toBe("You said: again\n\n(turn 2)");
  });

  it("Demo Agent asks the time tool on /time and answers with what it said; other messages are echoed", async () => {
    const session = await appSession(demoApp("agent"));
    const send = (query: string) => session.get("/api/chat-messages", json({ inputs: {}, query, response_mode: "streaming", conversation_id: "" }));
    const answer = (r: Awaited<ReturnType<typeof readSse>>) => r.events.filter((e) => e.data.event === "agent_message").map((e) => e.data.answer).join("");
    const asked = await readSse((await send("/time")).body!);
    const thoughts = asked.events.filter((e) => e.data.event === "agent_thought").map((e) => e.data);
    const called = thoughts.find((t) => t.observation)!;
    expect(called).toMatchObject({ position: 1, tool: "current_time", tool_input: '{"current_time": {}}' });
    const said = JSON.parse(called.observation).current_time as string;
    expect(said).toMatch(new RegExp(`^${new Date().getUTCFullYear()}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC$`));
    expect(answer(asked)).toBe(`The tool said: ${said}`);
    expect(asked.events.at(-1)!.data.event).toBe("message_end");

    const plain = await readSse((await send("hello")).body!);
    expect(answer(plain)).toBe("You said: hello");
    expect(plain.events.filter((e) => e.data.event === "agent_thought").every((e) => e.data.tool === "")).toBe(true);
  });
});
