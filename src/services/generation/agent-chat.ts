// POST /api/chat-messages for agent-chat apps (spec dify-web-api.md §4.5, dsl §1.12): streaming only
// ("Agent Chat App does not support blocking mode"), the conversation and message rows as for chat,
// the thread's history with its earlier tool calls (as Dify replays them to the model), and the
// agent loop in the TaskRunner (src/agent).
import { asc, desc, eq, inArray } from "drizzle-orm";
import type { EndUser } from "../../db/schema";
import { messageAgentThoughts, messages } from "../../db/schema";
import type { Db } from "../../db/client";
import type { AgentSpec, AgentTool } from "../../agent/spec";
import { AppUnavailable, InvalidParam } from "../../lib/errors";
import { nowSeconds, uuid, uuidv7 } from "../../lib/ids";
import { isObject } from "../../lib/json";
import { threadOf } from "../../llm/history";
import { renderIntroduction } from "../../llm/prompt";
import { inputValues, renderTemplate } from "../../llm/template";
import type { ChatMessage } from "../../llm/types";
import type { AppContext } from "../apps/app-registry";
import { modelConfigToDict } from "../apps/model-config";
import { chatTurn } from "../conversations/chat-turn";
import type { Deps } from "../deps";
import { discardRequestFiles, messageEndFiles } from "../files/request-files";
import { type ChatBody, chatTurnFiles } from "./chat";
import { launchTask, prepareModel, taskLimits } from "./generation";
import { messageRows, type StartedGeneration, takeSlot } from "./generation-start";

const MAX_HISTORY_MESSAGES = 50;

/** Earlier turns of the thread, each with its tool calls and results before the answer. */
export async function agentHistory(db: Db, conversationId: string, parentId: string | null, withTools: boolean): Promise<ChatMessage[]> {
  if (!parentId) return [];
  const rows = await db
    .select({ id: messages.id, parentMessageId: messages.parentMessageId, query: messages.query, answer: messages.answer })
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(MAX_HISTORY_MESSAGES)
    .all();
  const thread = threadOf(rows, parentId).reverse();
  const thoughts = withTools && thread.length
    ? await db.select().from(messageAgentThoughts).where(inArray(messageAgentThoughts.messageId, thread.map((m) => m.id))).orderBy(asc(messageAgentThoughts.position)).all()
    : [];
  const out: ChatMessage[] = [];
  for (const message of thread) {
    out.push({ role: "user", content: message.query });
    for (const t of thoughts.filter((t) => t.messageId === message.id && t.tool)) {
      const names = String(t.tool).split(";");
      const inputs = safeJson(t.toolInput);
      const observations = safeJson(t.observation);
      const calls = names.map((name, i) => ({ id: `${t.id}-${i}`, name, arguments: JSON.stringify(inputs[name] ?? {}) }));
      out.push({ role: "assistant", content: t.thought ?? "", tool_calls: calls });
      for (const call of calls) out.push({ role: "tool", tool_call_id: call.id, content: String(observations[call.name] ?? "") });
    }
    out.push({ role: "assistant", content: message.answer });
  }
  return out;
}

function safeJson(text: string | null): Record<string, unknown> {
  try {
    const value = JSON.parse(text ?? "{}");
    return isObject(value) ? value : {};
  } catch {
    return {};
  }
}

export async function startAgentChat(deps: Deps, ctx: AppContext, endUser: EndUser, body: ChatBody): Promise<StartedGeneration> {
  if (body.response_mode !== "streaming") throw new InvalidParam("Agent Chat App does not support blocking mode");
  if (!ctx.modelConfig) throw new AppUnavailable();
  const { query, conversation, parentId } = await chatTurn(deps, ctx, endUser, body);
  const config = modelConfigToDict(ctx.modelConfig);
  const requestFiles = await chatTurnFiles(deps, ctx, endUser, config, conversation, body);
  const model = await prepareModel(deps, config);
  const agent = (config.agent_mode ?? {}) as { strategy?: unknown; max_iteration?: unknown; tools?: unknown };
  // Dify's strategy selection: function_call → function calling; react/cot or absent → ReAct; any other
  // value → function calling for OpenAI, else ReAct. Providers without tool calls always run ReAct.
  const asked = agent.strategy === "function_call" || (typeof agent.strategy === "string" && !["react", "cot"].includes(agent.strategy) && model.provider.name === "openai");
  const strategy = asked && model.provider.type !== "workers-ai" ? "function_call" : "react";
  const tools = (Array.isArray(agent.tools) ? (agent.tools as AgentTool[]) : []).filter((t) => isObject(t) && (t as { enabled?: unknown }).enabled !== false && t.tool_name);
  const history = conversation ? await agentHistory(deps.db, conversation.id, parentId, strategy === "function_call") : [];
  const discardFiles = () => discardRequestFiles(deps, requestFiles);
  const slot = await takeSlot(deps, ctx, discardFiles);
  const now = nowSeconds();
  const taskId = uuid();
  const messageId = uuidv7();
  const id = conversation?.id ?? uuidv7();
  const inputs = requestFiles.inputs;
  const instruction = renderTemplate(config.pre_prompt ?? "", inputValues(inputs));
  const spec: AgentSpec = {
    kind: "agent",
    taskId,
    appId: ctx.app.id,
    endUserId: endUser.id,
    slot,
    limits: taskLimits(deps.config),
    messageId,
    conversationId: id,
    tenantId: ctx.app.tenantId,
    envelope: { conversation_id: id, message_id: messageId, created_at: now },
    model: { provider: model.provider.name, name: model.model, params: model.params },
    strategy,
    maxIteration: Number.isFinite(Number(agent.max_iteration)) && Number(agent.max_iteration) > 0 ? Number(agent.max_iteration) : 10,
    instruction,
    history,
    query,
    queryFiles: requestFiles.imageParts,
    tools,
    files: await messageEndFiles(requestFiles.files, deps.signer),
    messages: [{ role: "system", content: instruction }, ...history, { role: "user", content: query }],
    rows: messageRows(deps, {
      ctx,
      endUser,
      conversation,
      conversationId: id,
      messageId,
      taskId,
      inputs,
      query,
      introduction: renderIntroduction(config.opening_statement, inputs),
      parentMessageId: parentId,
      modelProvider: model.difyProvider,
      modelId: model.model,
      requestFiles,
      agentBased: true,
      now,
    }),
    userSessionId: endUser.sessionId,
    runtime: {
      filesBaseUrl: deps.signer.baseUrl,
      filesAccessTimeout: deps.signer.accessTimeout,
      ssrf: { allowedHosts: deps.config.ssrfAllowedHosts, dnsResolver: deps.config.ssrfDnsResolver, timeoutSeconds: Math.max(deps.config.remoteFileTimeout, 30), maxRedirects: deps.config.remoteFileMaxRedirects },
    },
  };
  const stream = await launchTask(deps, spec, true, discardFiles);
  return { taskId, messageId, conversationId: id, mode: "agent-chat", stream };
}

