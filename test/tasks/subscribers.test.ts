// The TaskRunner's subscriber fan-out: replay then live, pings every 10 s, detach on cancel.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EventLog } from "../../src/tasks/event-log";
import { migrateStorage } from "../../src/tasks/storage";
import { Subscribers } from "../../src/tasks/subscribers";

afterEach(() => vi.useRealTimers());

const decoder = new TextDecoder();

async function readText(reader: ReadableStreamDefaultReader<Uint8Array>, until: (text: string) => boolean): Promise<string> {
  let text = "";
  while (!until(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  return text;
}

/** Runs `fn` with a fresh log in a scratch object's storage. */
function withLog<T>(fn: (log: EventLog) => Promise<T>): Promise<T> {
  const stub = env.TASKS.get(env.TASKS.idFromName(`scratch-${crypto.randomUUID()}`));
  return runInDurableObject(stub, (_instance, state) => {
    migrateStorage(state.storage.sql);
    return fn(new EventLog(state.storage.sql));
  });
}

describe("Subscribers", () => {
  it("replays the backlog with ids, follows live events and pings every 10 s", async () => {
    await withLog(async (log) => {
      vi.useFakeTimers();
      let status: "running" | "finished" = "running";
      const subscribers = new Subscribers(log, () => status);
      log.append('{"event":"message","answer":"a"}');
      const reader = subscribers.open({ cursor: 0 }).getReader();
      expect(await readText(reader, (t) => t.includes("\n\n"))).toBe('id: 1\ndata: {"event":"message","answer":"a"}\n\n');
      subscribers.publish(log.append('{"event":"message","answer":"b"}'));
      vi.advanceTimersByTime(0);
      expect(await readText(reader, (t) => t.includes("\n\n"))).toBe('id: 2\ndata: {"event":"message","answer":"b"}\n\n');
      vi.advanceTimersByTime(10_000);
      expect(await readText(reader, (t) => t.length > 0)).toBe("event: ping\n\n");
      vi.advanceTimersByTime(20_000);
      expect(await readText(reader, (t) => t.split("ping").length > 2)).toBe("event: ping\n\nevent: ping\n\n");
      status = "finished";
      subscribers.endAll("finished");
      expect((await reader.read()).done).toBe(true);
    });
  });

  it("sends the frames of one turn as one chunk", async () => {
    await withLog(async (log) => {
      const subscribers = new Subscribers(log, () => "running");
      const reader = subscribers.open({ cursor: 0 }).getReader();
      await new Promise((r) => setTimeout(r, 0));
      // One turn of the event loop, however slow this machine is: a turn longer than FLUSH_AFTER_MS
      // flushes early by design, so the clock stands still while the 50 frames are published.
      const at = Date.now();
      const clock = vi.spyOn(Date, "now").mockReturnValue(at);
      for (let i = 0; i < 50; i++) subscribers.publish(log.append(`{"event":"message","answer":"${i}"}`));
      clock.mockRestore();
      const { value } = await reader.read();
      expect(decoder.decode(value).match(/^id: /gm)).toHaveLength(50);
    });
  });

  it("detaches a cancelled subscriber and stops pinging when none is left", async () => {
    await withLog(async (log) => {
      vi.useFakeTimers();
      const subscribers = new Subscribers(log, () => "running");
      const stream = subscribers.open({ cursor: 0 });
      expect(subscribers.count).toBe(1);
      await stream.cancel();
      expect(subscribers.count).toBe(0);
      subscribers.publish(log.append('{"event":"message"}'));
      // The log's own batch timer (25 ms) and the frame flush both run; no pinger is left.
      vi.advanceTimersByTime(30);
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it("closes at once after the backlog of a finished task", async () => {
    await withLog(async (log) => {
      const subscribers = new Subscribers(log, () => "finished");
      for (let i = 0; i < 6; i++) log.append('{"event":"message"}');
      log.append('{"event":"message_end"}');
      const reader = subscribers.open({ cursor: 6 }).getReader();
      expect(await readText(reader, () => false)).toBe('id: 7\ndata: {"event":"message_end"}\n\n');
      expect(subscribers.count).toBe(0);
    });
  });
});

describe("Subscribers held while paused", () => {
  it("keeps a holding stream open across a pause, closes the others, and ends on a close-on event", async () => {
    await withLog(async (log) => {
      let status: "running" | "paused" = "running";
      const subscribers = new Subscribers(log, () => status);
      const plain = subscribers.open({ cursor: 0 }).getReader();
      const held = subscribers.open({ cursor: "now", holdWhilePaused: true, closeOn: ["workflow_finished"] }).getReader();
      await new Promise((r) => setTimeout(r, 0));
      status = "paused";
      subscribers.endAll("paused");
      expect((await plain.read()).done).toBe(true);
      status = "running";
      subscribers.publish(log.append('{"event":"workflow_started"}'));
      subscribers.publish(log.append('{"event":"workflow_finished"}'));
      subscribers.publish(log.append('{"event":"after"}'));
      subscribers.flush();
      const text = await readText(held, () => false);
      expect(text).toBe('id: 1\ndata: {"event":"workflow_started"}\n\nid: 2\ndata: {"event":"workflow_finished"}\n\n');
    });
  });
});
