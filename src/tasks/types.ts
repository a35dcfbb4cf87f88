// What the worker hands a TaskRunner to start a generation, and what the task reports back.
import type { ResolvedProvider } from "../services/apps/model-providers";
import type { ChatMessage, ModelParams } from "../llm/types";

export interface Pricing {
  /** Price per `unit` tokens (e.g. unit 0.001 → per 1K tokens), as decimal strings or numbers. */
  input: number;
  output: number;
  unit: number;
  currency: string;
}

export interface GenerationSpec {
  taskId: string;
  appId: string;
  endUserId: string;
  messageId: string;
  conversationId: string;
  /** Envelope fields every event carries (spec §5.4), in wire order: conversation_id?, message_id, created_at. */
  envelope: Record<string, unknown>;
  provider: ResolvedProvider;
  model: string;
  messages: ChatMessage[];
  params: ModelParams;
  /** Answer given without calling the model (a sensitive-word input hit). */
  presetAnswer: string | null;
  /** Keyword output moderation: a hit replaces the answer (message_replace). */
  outputModeration: { keywords: string[]; presetResponse: string } | null;
  pricing: Pricing | null;
  /** message_end `files` (MessageFileInfo objects). */
  files: unknown[];
  /** Concurrency-limit slot to release when the task ends. */
  activeRequestId: string | null;
  /** Text-to-speech auto-play: the answer is also streamed as tts_message audio. */
  speech: { voice: string | null; language: string | null } | null;
  /** Chat conversations get updated_at/dialogue_count bumped at the end. */
  countDialogue: boolean;
  limits: { maxExecutionSeconds: number; idleTimeoutMs: number; retentionSeconds: number; echoDelayMs: number };
}

/** One event as it goes on the wire (already enveloped). */
export type TaskEvent = Record<string, unknown> & { event: string };

export interface LoggedEvent {
  seq: number;
  event: TaskEvent;
}
