// The TaskRunner's event log: sequence numbers at once, storage in batches, reads across both.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EventLog } from "../../src/tasks/event-log";
import { chatSetup, chatTurn, settledMessage } from "../helpers/chat";

afterEach(() => vi.restoreAllMocks());

describe("event log", () => {
  it("stores a long answer in a few rows and replays every event in order", async () => {
    const { send, fake } = await chatSetup();
    const chunks = Array.from({ length: 300 }, (_, i) => `${i} `);
    fake.use({ chunks, delayMs: 0 });
    const turn = await chatTurn(send, { query: "count" });
    await settledMessage(turn.messageId);
    expect(turn.events).toHaveLength(301);
    const stub = env.TASKS.get(env.TASKS.idFromName(turn.taskId));
    const stored = await runInDurableObject(stub, (_instance, state) => {
      const rows = state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events").one().n;
      const replay = [...new EventLog(state.storage.sql).all()];
      return { rows, seqs: replay.map((e) => e.seq), last: JSON.parse(replay.at(-1)!.json).event };
    });
    expect(stored.rows).toBeLessThan(30);
    expect(stored.seqs).toEqual(Array.from({ length: 301 }, (_, i) => i + 1));
    expect(stored.last).toBe("message_end");
  });

  it("reads pending events before they are written and continues numbering after a restart", async () => {
    const { send } = await chatSetup();
    const turn = await chatTurn(send, { query: "x" });
    const stub = env.TASKS.get(env.TASKS.idFromName(turn.taskId));
    const seqs = await runInDurableObject(stub, (_instance, state) => {
      const log = new EventLog(state.storage.sql);
      const before = [...log.all()].length;
      const a = log.append('{"event":"probe"}');
      const seen = log.page(before).map((e) => e.seq);
      log.flush();
      const next = new EventLog(state.storage.sql).append('{"event":"probe"}');
      return { before, a: a.seq, seen, next: next.seq };
    });
    expect(seqs.a).toBe(seqs.before + 1);
    expect(seqs.seen).toEqual([seqs.a]);
    expect(seqs.next).toBe(seqs.a + 1);
  });
});
