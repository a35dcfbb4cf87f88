// POST /api/workflows/run, POST /api/workflows/tasks/{task_id}/stop (spec §4.25, §4.26) and
// GET /api/workflow/{task_id}/events (§4.27; the task id is the workflow run id).
import { Hono } from "hono";
import { passportAuth } from "../http/auth";
import type { WebAppEnv } from "../http/context";
import { depsOf, ownerOf } from "../http/deps";
import { doc, validate } from "../http/validate";
import { InvalidParam } from "../lib/errors";
import { sseResponse } from "../lib/sse";
import { resumeQuery, stopResponse, taskIdParam, workflowRunBody } from "../schemas/chat";
import { effectiveMode, requireMode } from "../services/apps/app-mode";
import { startWorkflowRun } from "../services/workflows/workflow-run";
import { stopTask } from "../tasks/client";
import { runEventsRequest, runEventStream } from "../services/workflows/run-events";

export const workflowRoutes = new Hono<WebAppEnv>();

workflowRoutes.post(
  "/workflows/run",
  doc({
    summary: "Run a workflow app (always streaming SSE: workflow_started, node events, text_chunk, workflow_finished)",
    tags: ["workflow"],
    responses: { 200: { description: "text/event-stream of workflow events", contentType: "text/event-stream" } },
  }),
  passportAuth,
  validate("json", workflowRunBody),
  async (c) => {
    const ctx = c.get("appContext");
    requireMode(ctx, "workflow");
    const started = await startWorkflowRun(depsOf(c), ctx, c.get("endUser"), c.req.valid("json"));
    return sseResponse(started.stream);
  },
);

workflowRoutes.post(
  "/workflows/tasks/:task_id/stop",
  doc({ summary: "Stop a workflow run (always success; only the run's own end user can stop it)", tags: ["workflow"], responses: { 200: { description: "Stopped", schema: stopResponse } } }),
  passportAuth,
  validate("param", taskIdParam),
  async (c) => {
    requireMode(c.get("appContext"), "workflow");
    await stopTask(c.env, c.req.valid("param").task_id, ownerOf(c));
    return c.json({ result: "success" });
  },
);

workflowRoutes.get(
  "/workflow/:task_id/events",
  doc({
    summary: "A workflow or chatflow run's events: replay after Last-Event-ID or ?cursor=, then live",
    tags: ["workflow"],
    responses: { 200: { description: "text/event-stream", contentType: "text/event-stream" } },
  }),
  passportAuth,
  validate("param", taskIdParam),
  validate("query", resumeQuery),
  async (c) => {
    const ctx = c.get("appContext");
    const runId = c.req.valid("param").task_id;
    const mode = effectiveMode(ctx);
    if (mode !== "workflow" && mode !== "advanced-chat") throw new InvalidParam(`cannot subscribe to workflow run, workflow_run_id=${runId}`);
    const request = runEventsRequest({
      cursor: c.req.header("Last-Event-ID")?.trim() || c.req.valid("query").cursor,
      snapshot: c.req.query("include_state_snapshot")?.toLowerCase() === "true",
    });
    return sseResponse(await runEventStream(c.env, depsOf(c).db, runId, ownerOf(c), request));
  },
);
