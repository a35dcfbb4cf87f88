// The TaskRunner's subscriber fan-out: replay then live, pings every 10 s, detach on cancel.
import { afterEach, describe, expect, it, vi } from "vitest";
import { Subscribers } from "../../src/tasks/subscribers";

afterEach(() => vi.useRealTimers());

const decoder = new TextDecoder();

async function readAvailable(reader: ReadableStreamDefaultReader<Uint8Array>, frames: number): Promise<string> {
  let text = "";
  for (let i = 0; i < frames; i++) text += decoder.decode((await reader.read()).value);
  return text;
}

describe("Subscribers", () => {
  it("replays the backlog with ids, follows live events and pings every 10 s", async () => {
    vi.useFakeTimers();
    const subscribers = new Subscribers();
    const stream = subscribers.open([{ seq: 1, event: { event: "message", answer: "a" } }], false);
    const reader = stream.getReader();
    expect(await readAvailable(reader, 1)).toBe('id: 1\ndata: {"event":"message","answer":"a"}\n\n');
    subscribers.publish({ seq: 2, event: { event: "message", answer: "b" } });
    expect(await readAvailable(reader, 1)).toBe('id: 2\ndata: {"event":"message","answer":"b"}\n\n');
    vi.advanceTimersByTime(10_000);
    expect(await readAvailable(reader, 1)).toBe("event: ping\n\n");
    vi.advanceTimersByTime(20_000);
    expect(await readAvailable(reader, 2)).toBe("event: ping\n\nevent: ping\n\n");
    subscribers.closeAll();
    expect((await reader.read()).done).toBe(true);
  });

  it("detaches a cancelled subscriber and stops pinging when none is left", async () => {
    vi.useFakeTimers();
    const subscribers = new Subscribers();
    const stream = subscribers.open([], false);
    expect(subscribers.count).toBe(1);
    await stream.cancel();
    expect(subscribers.count).toBe(0);
    subscribers.publish({ seq: 1, event: { event: "message" } });
    expect(vi.getTimerCount()).toBe(0);
  });

  it("closes at once after the backlog of a finished task", async () => {
    const subscribers = new Subscribers();
    const reader = subscribers.open([{ seq: 7, event: { event: "message_end" } }], true).getReader();
    expect(await readAvailable(reader, 1)).toContain("id: 7");
    expect((await reader.read()).done).toBe(true);
    expect(subscribers.count).toBe(0);
  });
});
