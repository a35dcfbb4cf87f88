// Dify's own engine fixtures (../shared/fixtures/dify-dsl, copied into test/fixtures) run on the real
// engine and nodes with the outputs Dify's engine tests expect.
import { describe, expect, it } from "vitest";
import { fixture } from "../helpers/fixtures";
import { runGraph } from "../helpers/workflow";

describe("Dify fixtures on the engine", () => {
  it("increment_loop_with_break_condition: num 5 after 4 rounds", async () => {
    const run = await runGraph(fixture("increment_loop_with_break_condition_workflow"));
    expect(run.status).toBe("succeeded");
    expect(run.outputs).toEqual({ num: 5 });
    expect(run.events.filter((e) => e.event === "loop_next")).toHaveLength(3);
  });

  it("loop_contains_answer: 1\\n2\\n1 + 2", async () => {
    const run = await runGraph(fixture("loop_contains_answer"), { sys: { query: "1" } });
    expect(run.status).toBe("succeeded");
    expect(run.text).toBe("1\n2\n1 + 2");
  });

  it("test_streaming_conversation_variables: the answer is the query", async () => {
    const run = await runGraph(fixture("test_streaming_conversation_variables"), { sys: { query: "hello there" } });
    expect(run.status).toBe("succeeded");
    expect(run.text).toBe("hello there");
    expect(run.updates).toEqual([{ selector: ["conversation", "str"], value: "hello there" }]);
  });
});
