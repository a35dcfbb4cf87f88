// The agent-chat program on the TaskRunner (spec dify-dsl-and-nodes.md §1.12): the model calls tools
// in a loop — function calling with providers that support OpenAI-style tools, ReAct otherwise — and
// the answer, its thoughts and the tool files are saved at the end, also when it is stopped (with
// what it had). A run cut off by an eviction ends as an error with what it streamed, as a chat answer does.
import { getConfig } from "../config";
import { getDb } from "../db/client";
import { createMailer } from "../lib/mailer";
import { INTERRUPTED_MESSAGE, ROWS_FAILED_MESSAGE } from "../tasks/generation";
import { finalStatements } from "../tasks/finalize";
import type { Program, RunContext } from "../tasks/program";
import { pricingFrom, usageView } from "../tasks/usage";
import { runServices } from "../workflow/run-services";
import type { ToolContext } from "../tools/types";
import { functionCalling } from "./function-call";
import { react } from "./react";
import { AgentRun } from "./run";
import type { AgentSpec } from "./spec";
import { agentTools } from "./tools";

async function start(ctx: RunContext<AgentSpec>): Promise<void> {
  const { spec } = ctx;
  let rowsFailed = false;
  const rows = ctx.write(spec.rows, { label: "agent rows", critical: true }).catch(() => {
    rowsFailed = true;
  });
  const config = getConfig(ctx.env);
  const signer = { secretKey: config.secretKey, baseUrl: spec.runtime.filesBaseUrl, accessTimeout: spec.runtime.filesAccessTimeout };
  const services = runServices(
    ctx.env,
    { runId: spec.taskId, appId: spec.appId, tenantId: spec.tenantId, endUserId: spec.endUserId, userId: spec.userSessionId, conversationId: spec.conversationId, messageId: spec.messageId, parentMessageId: null },
    {
      settings: config.workflow,
      secretKey: config.secretKey,
      defaultModelProvider: config.defaultModelProvider,
      cacheTtlSeconds: spec.limits.cacheTtlSeconds,
      idleTimeoutMs: spec.limits.idleTimeoutMs,
      echoDelayMs: spec.limits.echoDelayMs,
      signer,
      ssrf: spec.runtime.ssrf,
      webBaseUrl: spec.runtime.filesBaseUrl,
      write: (statements, options) => ctx.write(statements, options),
      mail: (message) => createMailer(config.mail, ctx.env, getDb(ctx.env.DB)).send(message),
    },
  );
  let failure: unknown = null;
  let run: AgentRun | null = null;
  try {
    const { resolved, llm } = await ctx.provider(spec.model.provider);
    const toolContext: ToolContext = {
      env: ctx.env,
      signal: ctx.signal,
      fetch: services.fetch,
      readFile: services.readFile,
      saveFile: services.saveFile,
      provider: resolved,
      tenantId: spec.tenantId,
      userId: spec.userSessionId,
      // The app's own model, for tools that summarise (webscraper's generate_summary).
      llm: { provider: llm, model: spec.model.name },
    };
    const tools = await agentTools(ctx.env, config.secretKey, spec, { fetch: services.fetch, signal: ctx.signal, settings: config.tools });
    run = new AgentRun(ctx, llm, tools, toolContext, pricingFrom(resolved.config), signer);
    await (spec.strategy === "function_call" && llm.supportsTools ? functionCalling(run) : react(run));
  } catch (err) {
    failure = err;
  }
  await rows;
  if (rowsFailed) {
    ctx.emit({ event: "error", ...spec.envelope, task_id: spec.taskId, code: "internal_server_error", message: ROWS_FAILED_MESSAGE, status: 500 });
    return;
  }
  if (!run) {
    // Nothing could start (the provider or the tools): end as an error with an empty answer.
    run = new AgentRun(ctx, { stream: async function* () {} }, [], {} as ToolContext, null, signer);
  }
  run.finish(failure);
}

/** An error answer with what was streamed (an interrupted run, or a crash of the program). */
function endWithError(ctx: RunContext<AgentSpec>, code: string, message: string, status: number): void {
  const { spec } = ctx;
  let answer = "";
  for (const event of ctx.events()) if (event.event === "agent_message" || event.event === "message") answer += String(event.answer ?? "");
  ctx.emit({ event: "error", ...spec.envelope, task_id: spec.taskId, code, message, status });
  const usage = usageView({ promptTokens: 0, completionTokens: 0 }, null, { latency: 0, timeToFirstToken: null });
  const record = { messageId: spec.messageId, conversationId: spec.conversationId, countDialogue: true, answer, status: "error" as const, error: message, usage, promptMessages: [], finishedAt: Math.floor(Date.now() / 1000) };
  void ctx.write(finalStatements(record), { label: "agent final (interrupted)" });
}

export const agentProgram: Program<AgentSpec> = {
  durable: (spec) => ({ ...spec, history: [], messages: [], rows: [], queryFiles: [] }),
  async run(ctx) {
    if (ctx.phase === "recover") endWithError(ctx, "completion_request_error", INTERRUPTED_MESSAGE, 400);
    else await start(ctx);
    return { status: "finished" };
  },
  crashed(ctx) {
    endWithError(ctx, "internal_server_error", "Internal Server Error, please contact support.", 500);
  },
};
