// The task runtime with programs written for the test (issue 9): pause → eviction → resume continues
// the same sequence, a stop racing the end, the outbox retried by the alarm, an oversized event,
// a 100,000-event backlog paged, a version-1 object migrated, and an end that survives its own storage
// failing (issue 15).
import { abortAllDurableObjects, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { statement, statementBuilder } from "../../src/db/statements";
import { appActiveRequests, mailOutbox } from "../../src/db/schema";
import { startTask, stopTask, subscribeTask, taskOutcome, resumeTask } from "../../src/tasks/client";
import { EventLog } from "../../src/tasks/event-log";
import { Outbox } from "../../src/tasks/outbox";
import type { Program } from "../../src/tasks/program";
import { registerProgram } from "../../src/tasks/programs";
import { Blobs, migrateStorage, storedVersion } from "../../src/tasks/storage";
import type { TaskSpecBase } from "../../src/tasks/types";
import { readSse } from "../helpers/sse";

const owner = { appId: "app-rt", endUserId: "user-rt" };
const limits = { maxExecutionSeconds: 60, retentionSeconds: 600, idleTimeoutMs: 5000, echoDelayMs: 0, cacheTtlSeconds: 0 };
const spec = (kind: string, extra: Record<string, unknown> = {}): TaskSpecBase & Record<string, unknown> => ({ kind, taskId: crypto.randomUUID(), ...owner, slot: null, limits, ...extra });

registerProgram("test-pause", {
  durable: (s) => s,
  async run(ctx) {
    if (ctx.phase === "start") {
      ctx.emit({ event: "one" });
      ctx.emit({ event: "two" });
      ctx.checkpoint({ step: 2 });
      return { status: "paused" };
    }
    const state = ctx.restore<{ step: number }>();
    ctx.emit({ event: "resumed", step: state?.step ?? null, payload: ctx.resumePayload as never, phase: ctx.phase });
    return { status: "finished" };
  },
  crashed() {},
} satisfies Program);

registerProgram("test-wait", {
  durable: (s) => s,
  async run(ctx) {
    ctx.emit({ event: "waiting" });
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener("abort", () => resolve());
      setTimeout(resolve, Number((ctx.spec as unknown as { ms?: number }).ms ?? 5000));
    });
    ctx.emit({ event: "done", stopped: ctx.stopReason() });
    return { status: "finished" };
  },
  crashed() {},
} satisfies Program);

registerProgram("test-emit", {
  durable: (s) => s,
  async run(ctx) {
    const { count, size } = ctx.spec as unknown as { count: number; size: number };
    for (let i = 0; i < count; i++) ctx.emit({ event: "e", i, pad: size ? "x".repeat(size) : undefined });
    return { status: "finished" };
  },
  crashed() {},
} satisfies Program);

registerProgram("test-crash", {
  durable: (s) => s,
  async run(ctx) {
    ctx.emit({ event: "before" });
    await ctx.write([statement(statementBuilder().insert(mailOutbox).values({ id: crypto.randomUUID(), recipient: "a@b.c", subject: "s", text: "t", html: "h", createdAt: 1 }))], { label: "final write" });
    throw new Error("program bug");
  },
  crashed(ctx) {
    ctx.emit({ event: "error", code: "internal_server_error", message: "crashed", status: 500 });
    void ctx.write([], { label: "closing write" });
  },
} satisfies Program);

const names = (events: { data: Record<string, unknown> }[]) => events.map((e) => e.data.event);

describe("pause and resume", () => {
  it("continues the same log and sequence after an eviction", async () => {
    const s = spec("test-pause");
    const first = await readSse((await startTask(env, s, true))!);
    expect(first.events.map((e) => [e.id, e.data.event])).toEqual([[1, "one"], [2, "two"]]);
    await abortAllDurableObjects();
    expect(await resumeTask(env, s.taskId, owner, { answer: 42 })).toBe(true);
    // A second resume of a finished task is refused (exactly one wins).
    const outcome = await taskOutcome(env, s.taskId, owner);
    expect(outcome.status).toBe("finished");
    expect(await resumeTask(env, s.taskId, owner, { answer: 1 })).toBe(false);
    const replay = await readSse(await subscribeTask(env, s.taskId, owner, { cursor: 0 }));
    expect(replay.events.map((e) => [e.id, e.data.event])).toEqual([[1, "one"], [2, "two"], [3, "resumed"]]);
    expect(replay.events[2].data).toMatchObject({ step: 2, payload: { answer: 42 }, phase: "resume" });
    // Someone else cannot resume or read it.
    expect(await resumeTask(env, s.taskId, { ...owner, endUserId: "other" }, {})).toBe(false);
    await expect(subscribeTask(env, s.taskId, { ...owner, endUserId: "other" })).rejects.toThrow();
  });
});

describe("stop", () => {
  it("a stop racing the end: one end, one terminal event", async () => {
    for (let i = 0; i < 5; i++) {
      const s = spec("test-wait", { ms: 5 });
      const stream = (await startTask(env, s, true))!;
      await new Promise((r) => setTimeout(r, 5 - i));
      await stopTask(env, s.taskId, owner);
      const read = await readSse(stream);
      expect(names(read.events).filter((n) => n === "done")).toHaveLength(1);
      expect((await taskOutcome(env, s.taskId, owner)).status).toBe("finished");
    }
  });
});

describe("the outbox", () => {
  it("retries a write that failed twice and lands it via the alarm", async () => {
    const stub = env.TASKS.get(env.TASKS.idFromName(`outbox-${crypto.randomUUID()}`));
    const id = crypto.randomUUID();
    const result = await runInDurableObject(stub, async (_instance, state) => {
      migrateStorage(state.storage.sql);
      let failures = 0;
      const flaky = {
        prepare: (q: string) => env.DB.prepare(q),
        batch: (statements: D1PreparedStatement[]) => {
          if (failures++ < 3) return Promise.reject(new Error("D1_ERROR: Network connection lost."));
          return env.DB.batch(statements);
        },
      } as unknown as D1Database;
      const outbox = new Outbox(state.storage.sql, new Blobs(state.storage.sql), flaky);
      const landed = outbox.add([statement(statementBuilder().insert(appActiveRequests).values({ id, appId: "x", startedAt: 1 }))], { label: "test" });
      await outbox.drain();
      const afterInline = { size: outbox.size, next: outbox.nextAttemptAt()! > Date.now() };
      // The alarm's next pass (its time has come).
      state.storage.sql.exec("UPDATE outbox SET next_at = 0");
      await outbox.drain();
      await landed;
      return { afterInline, size: outbox.size, failures };
    });
    expect(result).toEqual({ afterInline: { size: 1, next: true }, size: 0, failures: 4 });
    expect(await env.DB.prepare("SELECT id FROM app_active_requests WHERE id = ?").bind(id).first()).toEqual({ id });
  });

  it("ends a task cleanly when the final write fails and so does the object's own storage", async () => {
    const slot = crypto.randomUUID();
    await env.DB.prepare("INSERT INTO app_active_requests (id, app_id, started_at) VALUES (?, ?, ?)").bind(slot, owner.appId, Math.floor(Date.now() / 1000)).run();
    const s = { ...spec("test-crash"), slot };
    const stub = env.TASKS.get(env.TASKS.idFromName(s.taskId));
    await runInDurableObject(stub, (instance) => {
      // Every outbox entry is refused by the object's SQLite (as when its storage is full or broken).
      (instance as unknown as { outbox: { add: () => never } }).outbox.add = () => {
        throw new Error("SQLITE_FULL: database or disk is full");
      };
    });
    const read = await readSse((await startTask(env, s, true))!);
    expect(names(read.events)).toEqual(["before", "error"]);
    const outcome = await taskOutcome(env, s.taskId, owner);
    expect(outcome.status).toBe("finished");
    expect(outcome.error).toMatchObject({ message: "crashed" });
    // The slot was released straight in D1.
    await vi.waitFor(async () => expect(await env.DB.prepare("SELECT id FROM app_active_requests WHERE id = ?").bind(slot).first()).toBeNull());
  });
});

describe("event log limits", () => {
  it("stores and replays an event larger than a row intact", async () => {
    const s = spec("test-emit", { count: 2, size: 1_500_000 });
    await readSse((await startTask(env, s, true))!);
    const replay = await readSse(await subscribeTask(env, s.taskId, owner, { cursor: 0 }));
    expect(replay.events.map((e) => (e.data.pad as string).length)).toEqual([1_500_000, 1_500_000]);
    const stub = env.TASKS.get(env.TASKS.idFromName(s.taskId));
    const rows = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec<{ n: number; max: number }>("SELECT COUNT(*) AS n, MAX(LENGTH(body)) AS max FROM events").one());
    expect(rows.n).toBeGreaterThan(2);
    expect(rows.max).toBeLessThanOrEqual(170_000);
  });

  it("replays a 100,000-event backlog page by page", async () => {
    const s = spec("test-emit", { count: 100_000, size: 0 });
    await taskOutcome(env, s.taskId, owner).catch(() => null);
    const stream = (await startTask(env, s, false)) ?? null;
    expect(stream).toBeNull();
    await taskOutcome(env, s.taskId, owner);
    const stub = env.TASKS.get(env.TASKS.idFromName(s.taskId));
    const page = await runInDurableObject(stub, (_i, state) => {
      const log = new EventLog(state.storage.sql);
      const first = log.page(0, 256 * 1024);
      return { events: first.length, chars: first.reduce((n, e) => n + e.json.length, 0), last: log.last };
    });
    expect(page.last).toBe(100_000);
    expect(page.events).toBeLessThan(20_000);
    expect(page.chars).toBeLessThan(256 * 1024 + 64 * 1024);
    const reader = (await subscribeTask(env, s.taskId, owner, { cursor: 0 })).getReader();
    const first = await reader.read();
    // One chunk is one page, not the whole log.
    expect(new TextDecoder().decode(first.value).split("\n\n").length).toBeLessThan(20_000);
    await reader.cancel();
    const all = await readSse(await subscribeTask(env, s.taskId, owner, { cursor: 99_990 }));
    expect(all.events.map((e) => e.id)).toEqual(Array.from({ length: 10 }, (_, i) => 99_991 + i));
  });
});

describe("storage versions", () => {
  it("migrates an object created under version 1 and still replays it", async () => {
    const taskId = crypto.randomUUID();
    const stub = env.TASKS.get(env.TASKS.idFromName(taskId));
    await runInDurableObject(stub, (_i, state) => {
      const sql = state.storage.sql;
      for (const t of ["meta", "task", "blobs", "events", "outbox"]) sql.exec(`DROP TABLE IF EXISTS ${t}`);
      sql.exec(`CREATE TABLE task (id INTEGER PRIMARY KEY CHECK (id = 1), task_id TEXT NOT NULL, app_id TEXT NOT NULL, end_user_id TEXT NOT NULL,
        status TEXT NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER, spec TEXT NOT NULL, pending_final TEXT)`);
      sql.exec("CREATE TABLE event_batches (first_seq INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL, body TEXT NOT NULL)");
      const v1spec = {
        taskId, appId: owner.appId, endUserId: owner.endUserId, messageId: "m1", conversationId: "c1", envelope: { message_id: "m1", created_at: 1 },
        provider: { name: "echo", type: "echo" }, model: "echo-1", messages: [{ role: "user", content: "hi" }], params: {}, presetAnswer: null,
        outputModeration: null, pricing: null, files: [], activeRequestId: null, speech: null, countDialogue: false,
        limits: { maxExecutionSeconds: 60, idleTimeoutMs: 1000, retentionSeconds: 600, echoDelayMs: 0 },
      };
      sql.exec("INSERT INTO task VALUES (1, ?, ?, ?, 'finished', 1, 2, ?, NULL)", taskId, owner.appId, owner.endUserId, JSON.stringify(v1spec));
      sql.exec("INSERT INTO event_batches VALUES (1, 2, ?)", JSON.stringify([{ seq: 1, event: { event: "message", answer: "a" } }, { seq: 2, event: { event: "message_end" } }]));
      expect(storedVersion(sql)).toBe(1);
    });
    await abortAllDurableObjects();
    const replay = await readSse(await subscribeTask(env, taskId, owner, { cursor: 0 }));
    expect(replay.events.map((e) => [e.id, e.data.event])).toEqual([[1, "message"], [2, "message_end"]]);
    const fresh = env.TASKS.get(env.TASKS.idFromName(taskId));
    expect(await runInDurableObject(fresh, (_i, state) => storedVersion(state.storage.sql))).toBe(2);
  });
});

