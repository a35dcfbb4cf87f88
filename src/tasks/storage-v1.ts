// Storage version 1 → 2. Version 1 (the first-wave TaskRunner, chat and completion only) kept one
// task row with the spec and a pending final write as JSON columns, and event batches as JSON arrays.
// Version 2 keeps the spec in blobs in the generation program's shape, a pending write as outbox
// entries, and batches as "<seq>\t<json>" lines. Runs in one synchronous pass inside the constructor.
import { eq } from "drizzle-orm";
import { statement, statementBuilder } from "../db/statements";
import { appActiveRequests } from "../db/schema";
import { estimateMessagesTokens } from "../llm/tokens";
import type { ChatMessage } from "../llm/types";
import { fallbackStatements, type FinalRecord, finalStatements } from "./finalize";

interface V1Spec {
  taskId: string;
  appId: string;
  endUserId: string;
  messageId: string;
  conversationId: string;
  envelope: Record<string, unknown>;
  provider: { name: string };
  model: string;
  messages: ChatMessage[];
  params: Record<string, unknown>;
  presetAnswer: string | null;
  outputModeration: unknown;
  files: unknown[];
  activeRequestId: string | null;
  speech: unknown;
  countDialogue: boolean;
  limits: { maxExecutionSeconds: number; idleTimeoutMs: number; retentionSeconds: number; echoDelayMs: number };
}

type V1Final = FinalRecord & { activeRequestId: string | null };

export function migrateFromV1(sql: SqlStorage, schemaV2: string[], putJson: (name: string, value: unknown) => void): void {
  sql.exec("ALTER TABLE task RENAME TO task_v1");
  for (const statementText of schemaV2) sql.exec(statementText);
  const old = sql.exec<Record<string, SqlStorageValue>>("SELECT * FROM task_v1 WHERE id = 1").toArray()[0];
  if (old) {
    const spec = JSON.parse(old.spec as string) as V1Spec;
    const pending = old.pending_final ? (JSON.parse(old.pending_final as string) as V1Final) : null;
    const slotReleased = old.status === "finished" ? 1 : 0;
    sql.exec(
      "INSERT INTO task (id, task_id, app_id, end_user_id, kind, status, started_at, finished_at, slot_released) VALUES (1, ?, ?, ?, 'generation', ?, ?, ?, ?)",
      spec.taskId,
      spec.appId,
      spec.endUserId,
      old.status as string,
      old.started_at as number,
      (old.finished_at as number | null) ?? null,
      slotReleased,
    );
    const durable = {
      kind: "generation",
      taskId: spec.taskId,
      appId: spec.appId,
      endUserId: spec.endUserId,
      slot: spec.activeRequestId,
      limits: { ...spec.limits, cacheTtlSeconds: 5 },
      messageId: spec.messageId,
      conversationId: spec.conversationId,
      envelope: spec.envelope,
      model: { provider: spec.provider.name, name: spec.model, params: spec.params },
      messages: [],
      presetAnswer: spec.presetAnswer,
      outputModeration: spec.outputModeration,
      files: spec.files,
      speech: spec.speech,
      countDialogue: spec.countDialogue,
      rows: [],
      promptTokens: estimateMessagesTokens(spec.messages ?? []),
    };
    putJson("spec", durable);
    if (pending) {
      const entries = [{ label: "generation final (v1)", statements: finalStatements(pending), fallback: fallbackStatements(pending) }];
      if (pending.activeRequestId) {
        const db = statementBuilder();
        entries.push({ label: "release slot (v1)", statements: [statement(db.delete(appActiveRequests).where(eq(appActiveRequests.id, pending.activeRequestId)))], fallback: [] });
      }
      for (const entry of entries) {
        const id = sql.exec<{ id: number }>("INSERT INTO outbox (label) VALUES (?) RETURNING id", entry.label).one().id;
        putJson(`outbox:${id}`, { statements: entry.statements, fallback: entry.fallback.length ? entry.fallback : null });
      }
    }
  }
  for (const row of sql.exec<{ first_seq: number; last_seq: number; body: string }>("SELECT first_seq, last_seq, body FROM event_batches ORDER BY first_seq").toArray()) {
    const events = JSON.parse(row.body) as { seq: number; event: unknown }[];
    const body = events.map((e) => `${e.seq}\t${JSON.stringify(e.event)}`).join("\n");
    sql.exec("INSERT INTO events (first_seq, part, parts, last_seq, body) VALUES (?, 0, 1, ?, ?)", row.first_seq, row.last_seq, body);
  }
  sql.exec("DROP TABLE event_batches");
  sql.exec("DROP TABLE task_v1");
}
