// What both agent strategies share inside the TaskRunner: the events (agent_thought as it fills in,
// agent_message deltas, message_file for tool files, message_end with usage summed over every model
// call), model calls, tool calls that can never crash the run (an error or an unknown tool becomes the
// observation), and the closing writes — the answer, the thoughts and the tool files.
import { AbortedError } from "../llm/sse-reader";
import { estimateMessagesTokens, estimateTokens } from "../llm/tokens";
import type { ChatMessage, LlmProvider, TokenUsage, ToolCall, ToolSpec } from "../llm/types";
import { ApiError } from "../lib/errors";
import { describeError, log } from "../lib/log";
import { TextStreamCleaner } from "../lib/text";
import { uuid } from "../lib/ids";
import { signedFileUrl } from "../lib/file-signing";
import { AnswerFold } from "../tasks/answer";
import { fallbackStatements, finalStatements } from "../tasks/finalize";
import type { RunContext } from "../tasks/program";
import type { TaskEvent } from "../tasks/types";
import { type Pricing, usageView } from "../tasks/usage";
import { type Tool, type ToolContext, ToolError, toolSchema } from "../tools/types";
import { type Json, pyJson } from "../workflow/segments";
import type { AgentSpec } from "./spec";
import { type Thought, thoughtEvent, thoughtRows, toolFileRow } from "./thoughts";

// What the model is told about files a tool made (Dify's text for images; the same for other files).
const FILE_NOTE = {
  image: "image has been created and sent to user already, you do not need to create it, just tell the user to check it now.",
  file: "file has been created and sent to user already, you do not need to create it, just tell the user to check it now.",
};

export interface ModelTurn {
  text: string;
  calls: ToolCall[];
}

export class AgentRun {
  readonly fold = new AnswerFold();
  readonly thoughts: Thought[] = [];
  private readonly started = Date.now();
  private firstTokenAt: number | null = null;
  private readonly usage: TokenUsage = { promptTokens: 0, completionTokens: 0 };
  private readonly fileRows: ReturnType<typeof toolFileRow>[] = [];

  constructor(
    readonly ctx: RunContext<AgentSpec>,
    readonly llm: LlmProvider,
    readonly tools: Tool[],
    private readonly toolContext: ToolContext,
    private readonly pricing: Pricing | null,
    private readonly signer: { secretKey: string; baseUrl: string; accessTimeout: number },
  ) {}

  get spec(): AgentSpec {
    return this.ctx.spec;
  }

  emit(fields: Record<string, unknown> & { event: string }): void {
    const { event, ...rest } = fields;
    const wire: TaskEvent = { event, ...this.spec.envelope, task_id: this.spec.taskId, ...rest };
    this.fold.add(wire);
    this.ctx.emit(wire);
  }

  publish(thought: Thought): void {
    this.emit(thoughtEvent(thought) as Record<string, unknown> & { event: string });
  }

  answer(text: string): void {
    if (!text) return;
    this.firstTokenAt ??= Date.now();
    this.emit({ event: "agent_message", id: this.spec.messageId, answer: text });
  }

  toolSpecs(): ToolSpec[] {
    return this.tools.map((t) => ({ name: t.name, description: t.description, parameters: toolSchema(t) }));
  }

  /**
   * One model call; `onStart` runs at its first chunk (Dify publishes the step's empty agent_thought
   * then), `onText` gets the cleaned text as it streams. Aborted by the stop signal.
   */
  async callModel(messages: ChatMessage[], tools: ToolSpec[], on: { start?: () => void; text?: (text: string) => void }, stop?: string[]): Promise<ModelTurn> {
    const spec = this.spec;
    const cleaner = new TextStreamCleaner();
    let text = "";
    let calls: ToolCall[] = [];
    let reported: TokenUsage | null = null;
    const params = stop?.length ? { ...spec.model.params, stop: [...(spec.model.params.stop ?? []), ...stop].slice(0, 4) } : spec.model.params;
    try {
      let started = false;
      for await (const chunk of this.llm.stream({ model: spec.model.name, messages, params, signal: this.ctx.signal, tools: tools.length ? tools : undefined })) {
        if (!started) {
          started = true;
          on.start?.();
        }
        if (chunk.type === "usage") reported = chunk.usage;
        else if (chunk.type === "tool_calls") calls = chunk.calls;
        else {
          const piece = cleaner.push(chunk.text);
          if (piece) {
            text += piece;
            on.text?.(piece);
          }
        }
      }
      const rest = cleaner.flush();
      if (rest) {
        text += rest;
        on.text?.(rest);
      }
    } finally {
      const used = reported ?? { promptTokens: estimateMessagesTokens(messages), completionTokens: estimateTokens(text) };
      this.usage.promptTokens += used.promptTokens;
      this.usage.completionTokens += used.completionTokens;
    }
    return { text, calls };
  }

  /** Calls a tool; whatever happens comes back as its observation (and the files it made). */
  async callTool(name: string, args: Json, thought: Thought): Promise<string> {
    const tool = this.tools.find((t) => t.name === name);
    if (!tool) return `there is not a tool named ${name}`;
    const started = Date.now();
    try {
      const result = await tool.call(args, this.toolContext);
      for (const file of result.files) {
        const id = uuid();
        this.fileRows.push(toolFileRow(id, this.spec.messageId, file, this.spec.endUserId));
        thought.files.push(id);
        const url = file.related_id ? await signedFileUrl(this.signer, file.related_id) : (file.url ?? "");
        this.emit({ event: "message_file", id, type: file.type, belongs_to: "assistant", url });
      }
      // Dify's ToolEngine._convert_tool_response_to_str: texts, then JSON as json.dumps, one note per file.
      return result.text + result.json.map((j) => pyJson(j)).join("") + result.files.map((f) => FILE_NOTE[f.type === "image" ? "image" : "file"]).join("");
    } catch (err) {
      if (this.ctx.signal.aborted) return "The tool call was stopped.";
      if (err instanceof ToolError || err instanceof ApiError) return `tool invoke error: ${err.message}`;
      log(null, "warn", "agent tool failed", { task_id: this.spec.taskId, tool: name, error: describeError(err) });
      return `tool invoke error: ${describeError(err)}`;
    } finally {
      thought.latency += (Date.now() - started) / 1000;
    }
  }

  /** Ends the run: message_end (or the error), then the answer, thoughts and files through the outbox. */
  finish(failure: unknown): void {
    const spec = this.spec;
    const usage = usageView(this.usage, this.pricing, {
      latency: (Date.now() - this.started) / 1000,
      timeToFirstToken: this.firstTokenAt === null ? null : (this.firstTokenAt - this.started) / 1000,
    });
    let status: "normal" | "error" = "normal";
    let error: string | null = null;
    if (failure && !(failure instanceof AbortedError && this.ctx.signal.aborted)) {
      const apiError = failure instanceof ApiError ? failure : new ApiError(500, "internal_server_error", "Internal Server Error, please contact support.");
      if (!(failure instanceof ApiError)) log(null, "error", "agent run failed", { task_id: spec.taskId, error: describeError(failure) });
      this.emit({ event: "error", code: apiError.code, message: apiError.message, status: apiError.status });
      status = "error";
      error = apiError.message;
    } else {
      this.emit({ event: "message_end", id: spec.messageId, metadata: { annotation_reply: null, retriever_resources: [], usage }, files: spec.files });
    }
    const record = {
      messageId: spec.messageId,
      conversationId: spec.conversationId,
      countDialogue: true,
      answer: this.fold.answer,
      status,
      error,
      usage,
      promptMessages: spec.messages,
      finishedAt: Math.floor(Date.now() / 1000),
    };
    void this.ctx.write([...finalStatements(record), ...thoughtRows(this.thoughts, spec.messageId, spec.endUserId), ...this.fileRows], {
      label: "agent final",
      fallback: fallbackStatements(record),
    });
  }
}
