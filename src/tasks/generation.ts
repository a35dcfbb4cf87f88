// The generation pipeline that runs inside a TaskRunner: model stream → `message` events, keyword
// output moderation → `message_replace`, stop → partial answer + `message_end`, failures → `error`.
import { ApiError } from "../lib/errors";
import { describeError, log } from "../lib/log";
import { AbortedError } from "../llm/sse-reader";
import { TextStreamCleaner } from "../lib/text";
import { estimateMessagesTokens, estimateTokens } from "../llm/tokens";
import type { LlmProvider, TokenUsage } from "../llm/types";
import type { GenerationSpec } from "./types";
import { type UsageView, usageView } from "./usage";

export type StopReason = "user" | "timeout";

export interface GenerationResult {
  answer: string;
  status: "normal" | "error";
  error: string | null;
  usage: UsageView;
  stoppedBy: StopReason | null;
}

export type Emit = (fields: Record<string, unknown> & { event: string }) => void;

/** Receives the answer text as it streams and is finished after message_end (text-to-speech). */
export interface AnswerListener {
  push(text: string): void;
  finish(): Promise<void>;
}

function moderationHit(text: string, keywords: string[]): boolean {
  const lower = text.toLowerCase();
  return keywords.some((k) => k && lower.includes(k.toLowerCase()));
}

export async function runGeneration(
  spec: GenerationSpec,
  provider: LlmProvider,
  emit: Emit,
  stop: { signal: AbortSignal; reason: () => StopReason | null },
  speech: AnswerListener | null = null,
): Promise<GenerationResult> {
  const started = Date.now();
  let firstTokenAt: number | null = null;
  let answer = "";
  let reported: TokenUsage | null = null;
  let failure: ApiError | null = null;
  const upstream = new AbortController();
  const onStop = () => upstream.abort();
  stop.signal.addEventListener("abort", onStop);
  if (stop.signal.aborted) upstream.abort();
  // Model text is cleaned once, before it is streamed, so the stored answer equals what was shown.
  const cleaner = new TextStreamCleaner();
  const messageEvent = (text: string) => ({ event: "message", id: spec.messageId, answer: text, from_variable_selector: null });

  try {
    if (spec.presetAnswer !== null) {
      answer = spec.presetAnswer;
      firstTokenAt = Date.now();
      emit(messageEvent(answer));
      speech?.push(answer);
    } else {
      for await (const chunk of provider.stream({ model: spec.model, messages: spec.messages, params: spec.params, signal: upstream.signal })) {
        if (chunk.type === "usage") {
          reported = chunk.usage;
          continue;
        }
        const text = cleaner.push(chunk.text);
        if (!text) continue;
        firstTokenAt ??= Date.now();
        answer += text;
        if (spec.outputModeration && moderationHit(answer, spec.outputModeration.keywords)) {
          answer = spec.outputModeration.presetResponse;
          emit({ event: "message_replace", answer, reason: "output_moderation" });
          upstream.abort();
          break;
        }
        emit(messageEvent(text));
        speech?.push(text);
      }
      const rest = cleaner.flush();
      if (rest) {
        answer += rest;
        emit(messageEvent(rest));
        speech?.push(rest);
      }
    }
  } catch (err) {
    if (!(err instanceof AbortedError && upstream.signal.aborted)) {
      failure = err instanceof ApiError ? err : new ApiError(500, "internal_server_error", "Internal Server Error, please contact support.");
      if (!(err instanceof ApiError)) log(null, "error", "generation failed", { task_id: spec.taskId, error: describeError(err) });
    }
  } finally {
    stop.signal.removeEventListener("abort", onStop);
  }

  const now = Date.now();
  // A stopped or failed stream has no provider usage: recount from the prompt and the partial answer.
  const tokens = reported ?? { promptTokens: spec.presetAnswer !== null ? 0 : estimateMessagesTokens(spec.messages), completionTokens: estimateTokens(answer) };
  const usage = usageView(tokens, spec.pricing, {
    latency: (now - started) / 1000,
    timeToFirstToken: firstTokenAt === null ? null : (firstTokenAt - started) / 1000,
  });
  if (failure) {
    emit({ event: "error", code: failure.code, message: failure.message, status: failure.status });
    return { answer, status: "error", error: failure.message, usage, stoppedBy: null };
  }
  emit({
    event: "message_end",
    id: spec.messageId,
    metadata: { annotation_reply: null, retriever_resources: [], usage },
    files: spec.files,
  });
  if (speech) {
    // As Dify: the remaining audio follows message_end, then tts_message_end closes it.
    await speech.finish();
    emit({ event: "tts_message_end", audio: "" });
  }
  return { answer, status: "normal", error: null, usage, stoppedBy: stop.reason() };
}
