// The chat/completion generation program: model stream → `message` events, keyword output moderation
// → `message_replace`, stop → partial answer + `message_end`, failures → `error`; the conversation and
// message rows are written while the model is already called, the closing record at the end. A run
// cut off by an eviction cannot continue its model stream: it ends as an error with what it streamed.
import type { Statement } from "../db/statements";
import { ApiError } from "../lib/errors";
import { describeError, log } from "../lib/log";
import { TextStreamCleaner } from "../lib/text";
import { AbortedError } from "../llm/sse-reader";
import { estimateMessagesTokens, estimateTokens } from "../llm/tokens";
import type { ChatMessage, ModelParams, TokenUsage } from "../llm/types";
import { AnswerFold } from "./answer";
import { fallbackStatements, type FinalRecord, finalStatements } from "./finalize";
import type { Program, RunContext } from "./program";
import { SpeechStream } from "./speech-stream";
import type { TaskEvent, TaskSpecBase } from "./types";
import { pricingFrom, type UsageView, usageView } from "./usage";

export const INTERRUPTED_MESSAGE =
  "The generation was interrupted before it finished (its task runner was restarted); the partial answer was saved.";
export const ROWS_FAILED_MESSAGE = "The conversation could not be saved; nothing was stored. Please try again.";

export interface GenerationSpec extends TaskSpecBase {
  kind: "generation";
  messageId: string;
  conversationId: string;
  /** Envelope fields every event carries (spec §5.4), in wire order: conversation_id?, message_id, created_at. */
  envelope: Record<string, unknown>;
  /** The registry name of the provider (resolved, key decrypted, inside the object). */
  model: { provider: string; name: string; params: ModelParams };
  messages: ChatMessage[];
  /** Answer given without calling the model (a sensitive-word input hit). */
  presetAnswer: string | null;
  /** Keyword output moderation: a hit replaces the answer (message_replace). */
  outputModeration: { keywords: string[]; presetResponse: string } | null;
  /** message_end `files` (MessageFileInfo objects). */
  files: unknown[];
  /** Text-to-speech auto-play: the answer is also streamed as tts_message audio. */
  speech: { voice: string | null; language: string | null } | null;
  /** Chat conversations get updated_at/dialogue_count bumped at the end. */
  countDialogue: boolean;
  /** The conversation, message and message_files rows (one atomic batch, written by the task). */
  rows: Statement[];
  /** Token estimate of the prompt, kept in storage instead of the prompt itself. */
  promptTokens?: number;
}

function moderationHit(text: string, keywords: string[]): boolean {
  const lower = text.toLowerCase();
  return keywords.some((k) => k && lower.includes(k.toLowerCase()));
}

/** The stream's error for anything that is not one of Dify's codes (spec §5.6). */
const STREAM_INTERNAL_ERROR = "Internal Server Error, please contact support.";

const toApiError = (err: unknown, taskId: string): ApiError => {
  if (err instanceof ApiError) return err;
  log(null, "error", "generation failed", { task_id: taskId, error: describeError(err) });
  return new ApiError(500, "internal_server_error", STREAM_INTERNAL_ERROR);
};

class Generation {
  readonly fold = new AnswerFold();
  private readonly started = Date.now();
  private firstTokenAt: number | null = null;

  constructor(private readonly ctx: RunContext<GenerationSpec>) {}

  get spec(): GenerationSpec {
    return this.ctx.spec;
  }

  emit(fields: Record<string, unknown> & { event: string }): void {
    const { event, ...rest } = fields;
    const wire: TaskEvent = { event, ...this.spec.envelope, task_id: this.spec.taskId, ...rest };
    this.fold.add(wire);
    this.ctx.emit(wire);
  }

  private messageEvent(text: string) {
    return { event: "message", id: this.spec.messageId, answer: text, from_variable_selector: null };
  }

  /** Streams the answer; resolves with the provider's usage (or null) once it ended, was stopped or failed. */
  async stream(upstream: AbortController, speech: SpeechStream | null): Promise<{ usage: TokenUsage | null; pricing: ReturnType<typeof pricingFrom> }> {
    const spec = this.spec;
    if (spec.presetAnswer !== null) {
      this.firstTokenAt = Date.now();
      this.emit(this.messageEvent(spec.presetAnswer));
      speech?.push(spec.presetAnswer);
      return { usage: null, pricing: null };
    }
    const { resolved, llm } = await this.ctx.provider(spec.model.provider);
    const pricing = pricingFrom(resolved.config);
    // Model text is cleaned once, before it is streamed, so the stored answer equals what was shown.
    const cleaner = new TextStreamCleaner();
    let usage: TokenUsage | null = null;
    const push = (text: string) => {
      this.firstTokenAt ??= Date.now();
      this.emit(this.messageEvent(text));
      speech?.push(text);
    };
    for await (const chunk of llm.stream({ model: spec.model.name, messages: spec.messages, params: spec.model.params, signal: upstream.signal })) {
      if (chunk.type === "usage") {
        usage = chunk.usage;
        continue;
      }
      if (chunk.type !== "delta") continue;
      const text = cleaner.push(chunk.text);
      if (!text) continue;
      if (spec.outputModeration && moderationHit(this.fold.answer + text, spec.outputModeration.keywords)) {
        this.emit({ event: "message_replace", answer: spec.outputModeration.presetResponse, reason: "output_moderation" });
        upstream.abort();
        return { usage, pricing };
      }
      push(text);
    }
    const rest = cleaner.flush();
    if (rest) push(rest);
    return { usage, pricing };
  }

  usage(reported: TokenUsage | null, pricing: ReturnType<typeof pricingFrom>): UsageView {
    const spec = this.spec;
    const now = Date.now();
    // A stopped or failed stream has no provider usage: recount from the prompt and the partial answer.
    const promptTokens = spec.presetAnswer !== null ? 0 : (spec.promptTokens ?? estimateMessagesTokens(spec.messages));
    const tokens = reported ?? { promptTokens, completionTokens: estimateTokens(this.fold.answer) };
    return usageView(tokens, pricing, {
      latency: (now - this.started) / 1000,
      timeToFirstToken: this.firstTokenAt === null ? null : (this.firstTokenAt - this.started) / 1000,
    });
  }

  /** Queues the closing record (and its always-fitting fallback). */
  save(status: "normal" | "error", error: string | null, usage: UsageView): void {
    const spec = this.spec;
    const record: FinalRecord = {
      messageId: spec.messageId,
      conversationId: spec.conversationId,
      countDialogue: spec.countDialogue,
      answer: this.fold.answer,
      status,
      error,
      usage,
      promptMessages: spec.messages,
      finishedAt: Math.floor(Date.now() / 1000),
    };
    void this.ctx.write(finalStatements(record), { label: "generation final", fallback: fallbackStatements(record) });
  }
}

async function start(ctx: RunContext<GenerationSpec>): Promise<void> {
  const run = new Generation(ctx);
  const spec = ctx.spec;
  const upstream = new AbortController();
  const onStop = () => upstream.abort();
  ctx.signal.addEventListener("abort", onStop);
  if (ctx.signal.aborted) upstream.abort();
  // The rows are written while the model is already called; if they cannot be written the run ends
  // with an error and nothing else is saved (they are one atomic batch).
  let rowsFailed = false;
  const rows = ctx.write(spec.rows, { label: "generation rows", critical: true }).catch(() => {
    rowsFailed = true;
    upstream.abort();
  });
  const speech = spec.speech ? await speechFor(ctx, run) : null;
  let failure: ApiError | null = null;
  let stream: { usage: TokenUsage | null; pricing: ReturnType<typeof pricingFrom> } = { usage: null, pricing: null };
  try {
    stream = await run.stream(upstream, speech);
  } catch (err) {
    if (!(err instanceof AbortedError && upstream.signal.aborted)) failure = toApiError(err, spec.taskId);
  } finally {
    ctx.signal.removeEventListener("abort", onStop);
  }
  await rows;
  if (rowsFailed) {
    run.emit({ event: "error", code: "internal_server_error", message: ROWS_FAILED_MESSAGE, status: 500 });
    return;
  }
  const usage = run.usage(stream.usage, stream.pricing);
  if (failure) {
    run.emit({ event: "error", code: failure.code, message: failure.message, status: failure.status });
    run.save("error", failure.message, usage);
    return;
  }
  run.emit({ event: "message_end", id: spec.messageId, metadata: { annotation_reply: null, retriever_resources: [], usage }, files: spec.files });
  if (speech) {
    // As Dify: the remaining audio follows message_end, then tts_message_end closes it.
    await speech.finish();
    run.emit({ event: "tts_message_end", audio: "" });
  }
  run.save("normal", null, usage);
}

async function speechFor(ctx: RunContext<GenerationSpec>, run: Generation): Promise<SpeechStream | null> {
  try {
    const { resolved } = await ctx.provider(ctx.spec.model.provider);
    return new SpeechStream(resolved, ctx.spec.speech!, { AI: ctx.env.AI }, (audio) => run.emit({ event: "tts_message", audio }));
  } catch {
    return null;
  }
}

/** An interrupted run: what it streamed is kept, and it ends as an error saying so. */
function recover(ctx: RunContext<GenerationSpec>): void {
  const run = new Generation(ctx);
  for (const event of ctx.events()) run.fold.add(event);
  run.emit({ event: "error", code: "completion_request_error", message: INTERRUPTED_MESSAGE, status: 400 });
  run.save("error", INTERRUPTED_MESSAGE, run.usage(null, null));
}

export const generationProgram: Program<GenerationSpec> = {
  durable: (spec) => ({ ...spec, messages: [], rows: [], promptTokens: spec.promptTokens ?? estimateMessagesTokens(spec.messages) }),
  async run(ctx) {
    if (ctx.phase === "recover") recover(ctx);
    else await start(ctx);
    return { status: "finished" };
  },
  crashed(ctx) {
    const run = new Generation(ctx);
    for (const event of ctx.events()) run.fold.add(event);
    run.emit({ event: "error", code: "internal_server_error", message: STREAM_INTERNAL_ERROR, status: 500 });
    run.save("error", STREAM_INTERNAL_ERROR, run.usage(null, null));
  },
};

