// The D1 rows of a workflow run (spec dify-web-api.md §7): the workflow_runs row, one
// workflow_node_executions row per node run, the chatflow message's answer and the conversation's
// variables. All go through the task's outbox. JSON columns are bounded so a row always fits.
import { eq, sql } from "drizzle-orm";
import { type Statement, statement, statementBuilder } from "../db/statements";
import { conversations, conversationVariables, messages, workflowNodeExecutions, workflowRuns } from "../db/schema";
import { utf8Length } from "../lib/text";
import type { NodeRecord, RunStatus } from "./engine";
import type { Json } from "./segments";

/** A JSON column's value, or a marker when it is too large to keep in a row. */
export function bounded<T>(value: T, maxBytes = 64 * 1024): T | { truncated: true; bytes: number } {
  if (value === null || value === undefined) return value;
  const bytes = utf8Length(JSON.stringify(value));
  return bytes <= maxBytes ? value : { truncated: true, bytes };
}

export interface RunRow {
  id: string;
  tenantId: string;
  appId: string;
  workflowId: string;
  type: "workflow" | "chat";
  inputs: Json;
  endUserId: string;
  createdAt: number;
}

export function runInsert(run: RunRow): Statement {
  return statement(
    statementBuilder().insert(workflowRuns).values({
      id: run.id,
      tenantId: run.tenantId,
      appId: run.appId,
      workflowId: run.workflowId,
      type: run.type,
      triggeredFrom: "app-run",
      version: "published",
      inputs: bounded(run.inputs, 256 * 1024) as Json,
      status: "running",
      createdByRole: "end_user",
      createdBy: run.endUserId,
      createdAt: run.createdAt,
    }),
  );
}

export interface RunEnd {
  status: RunStatus;
  outputs: Json | null;
  error: string | null;
  elapsed: number;
  tokens: number;
  steps: number;
  exceptions: number;
  finishedAt: number | null;
}

export function runUpdate(runId: string, end: RunEnd, keepOutputs = true): Statement {
  return statement(
    statementBuilder()
      .update(workflowRuns)
      .set({
        status: end.status,
        outputs: keepOutputs ? (bounded(end.outputs, 256 * 1024) as Json | null) : null,
        error: end.error?.slice(0, 4000) ?? null,
        elapsedTime: end.elapsed,
        totalTokens: end.tokens,
        totalSteps: end.steps,
        finishedAt: end.finishedAt,
        exceptionsCount: end.exceptions,
      })
      .where(eq(workflowRuns.id, runId)),
  );
}

export function nodeInsert(run: Pick<RunRow, "id" | "tenantId" | "appId" | "workflowId" | "endUserId">, record: NodeRecord): Statement {
  return statement(
    statementBuilder().insert(workflowNodeExecutions).values({
      id: record.executionId,
      tenantId: run.tenantId,
      appId: run.appId,
      workflowId: run.workflowId,
      triggeredFrom: "workflow-run",
      workflowRunId: run.id,
      index: record.index,
      predecessorNodeId: record.predecessor,
      nodeExecutionId: record.executionId,
      nodeId: record.node.id,
      nodeType: record.node.type,
      title: record.node.title,
      inputs: bounded(record.inputs) as Json | null,
      processData: bounded(record.processData) as Json | null,
      outputs: bounded(record.outputs) as Json | null,
      status: record.status,
      error: record.error?.slice(0, 4000) ?? null,
      elapsedTime: record.elapsed,
      executionMetadata: record.metadata,
      createdByRole: "end_user",
      createdBy: run.endUserId,
      createdAt: record.createdAt,
      finishedAt: record.finishedAt,
    }),
  );
}

export interface MessageEnd {
  messageId: string;
  conversationId: string;
  runId: string;
  answer: string;
  /** "paused" while the run waits for a person (Dify's newest message status). */
  status: "normal" | "error" | "paused";
  error: string | null;
  tokens: number;
  latency: number;
  finishedAt: number;
  countDialogue: boolean;
}

export function messageUpdate(end: MessageEnd, answer = end.answer): Statement[] {
  const db = statementBuilder();
  return [
    statement(
      db
        .update(messages)
        .set({
          answer,
          answerTokens: end.tokens,
          providerResponseLatency: end.latency,
          status: end.status,
          error: end.error?.slice(0, 4000) ?? null,
          workflowRunId: end.runId,
          updatedAt: end.finishedAt,
        })
        .where(eq(messages.id, end.messageId)),
    ),
    statement(
      db
        .update(conversations)
        .set({ updatedAt: end.finishedAt, ...(end.countDialogue ? { dialogueCount: sql`${conversations.dialogueCount} + 1` } : {}) })
        .where(eq(conversations.id, end.conversationId)),
    ),
  ];
}

export function conversationVariableUpsert(appId: string, conversationId: string, name: string, value: unknown, now: number): Statement {
  return statement(
    statementBuilder()
      .insert(conversationVariables)
      .values({ conversationId, appId, name, value: bounded(value, 200 * 1024), createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: [conversationVariables.conversationId, conversationVariables.name], set: { value: bounded(value, 200 * 1024), updatedAt: now } }),
  );
}

