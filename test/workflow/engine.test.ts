// The graph engine's rules (spec dify-dsl-and-nodes.md §2.4–2.7) on the real engine with stand-in
// nodes where a rule is about the engine, not the node.
import { describe, expect, it } from "vitest";
import { fixture } from "../helpers/fixtures";
import { runGraph, streamingNode } from "../helpers/workflow";
import { NodeError, type NodeDefinition } from "../../src/workflow/types";
import { renderVariables } from "../../src/workflow/template";
import { toMarkdown, toText } from "../../src/workflow/segments";
import { VariablePool } from "../../src/workflow/variable-pool";

type NodeSpec = { id: string; type: string; parentId?: string; [key: string]: unknown };

/** A graph in the DSL's shape: nodes with data, edges [source, target, handle?]. */
function graph(nodes: NodeSpec[], edges: [string, string, string?][]) {
  return {
    nodes: nodes.map(({ id, parentId, ...data }) => ({ id, type: "custom", ...(parentId ? { parentId } : {}), data: { title: id, ...data } })),
    edges: edges.map(([source, target, handle]) => ({ source, target, sourceHandle: handle ?? "source" })),
  };
}

const failing = (message = "boom", type = "code"): NodeDefinition => ({
  type,
  retries: true,
  async run() {
    throw new NodeError(message, "TestError");
  },
});

describe("Answer/End streaming order (§2.7, Dify's verified examples)", () => {
  it("prefix{{#sys.query#}}suffix", async () => {
    const run = await runGraph(graph([{ id: "start", type: "start" }, { id: "answer", type: "answer", answer: "prefix{{#sys.query#}}suffix" }], [["start", "answer"]]), { sys: { query: "Hello, AI!" } });
    expect(run.text).toBe("prefixHello, AI!suffix");
  });

  it("test-answer-order: answer 1, then answer 2 with the LLM's buffered text", async () => {
    const run = await runGraph(fixture("test-answer-order"), { sys: { query: "hi" }, nodes: { llm: streamingNode("the llm text") } });
    expect(run.status).toBe("succeeded");
    expect(run.text).toBe("--- answer 1 ---\n\nfoo\n--- answer 2 ---\n\nthe llm text\n");
  });

  it("End outputs stream in order, joined by newlines", async () => {
    const g = graph(
      [
        { id: "start", type: "start", variables: [{ variable: "query", type: "text-input" }] },
        { id: "tpl", type: "llm" },
        { id: "end", type: "end", outputs: [{ variable: "q", value_selector: ["start", "query"] }, { variable: "t", value_selector: ["tpl", "text"] }] },
      ],
      [["start", "tpl"], ["tpl", "end"]],
    );
    const run = await runGraph(g, { inputs: { query: "the query" }, nodes: { llm: streamingNode("template output") } });
    expect(run.chunks.map((c) => c.text).join("|")).toBe("the query|\n|template |output");
    expect(run.outputs).toEqual({ q: "the query", t: "template output" });
  });

  it("loop_contains_answer: 1\\n2\\n1 + 2", async () => {
    const run = await runGraph(fixture("loop_contains_answer"), { sys: { query: "1" } });
    expect(run.text).toBe("1\n2\n1 + 2");
  });

  it("streams the second of two LLMs live first when the answer prints it first", async () => {
    const g = graph(
      [
        { id: "start", type: "start" },
        { id: "llm1", type: "slow" },
        { id: "llm2", type: "llm" },
        { id: "answer", type: "answer", answer: "{{#llm2.text#}}{{#llm1.text#}}" },
      ],
      [["start", "llm1"], ["start", "llm2"], ["llm1", "answer"], ["llm2", "answer"]],
    );
    const slow: NodeDefinition = { ...streamingNode("one ", 5), type: "slow" };
    const run = await runGraph(g, { nodes: { slow, llm: streamingNode("two ", 1) } });
    expect(run.text).toBe("two one ");
    expect(run.chunks[0].selector).toEqual(["llm2", "text"]);
  });
});

describe("branches, joins and skips (§2.5)", () => {
  const switchGraph = graph(
    [
      { id: "start", type: "start", variables: [{ variable: "n", type: "number" }] },
      { id: "if", type: "if-else", cases: [{ case_id: "true", logical_operator: "and", conditions: [{ variable_selector: ["start", "n"], comparison_operator: ">", value: "1" }] }] },
      { id: "big", type: "answer", answer: "big" },
      { id: "small", type: "answer", answer: "small" },
      { id: "join", type: "answer", answer: "!" },
    ],
    [["start", "if"], ["if", "big", "true"], ["if", "small", "false"], ["big", "join"], ["small", "join"]],
  );

  it("takes one branch, skips the other, and still runs the join", async () => {
    const big = await runGraph(switchGraph, { inputs: { n: 5 } });
    expect(big.text).toBe("big!");
    const small = await runGraph(switchGraph, { inputs: { n: 0 } });
    expect(small.text).toBe("small!");
    const finished = small.events.filter((e) => e.event === "node_finished").map((e) => e.data.node_id);
    expect(finished).not.toContain("big");
  });

  it("fails an if-else whose variable does not exist", async () => {
    const g = graph(
      [
        { id: "start", type: "start" },
        { id: "if", type: "if-else", cases: [{ case_id: "true", conditions: [{ variable_selector: ["nope", "x"], comparison_operator: "is", value: "a" }] }] },
      ],
      [["start", "if"]],
    );
    const run = await runGraph(g);
    expect(run.status).toBe("failed");
    expect(run.error).toBe("Variable nope.x not found");
  });
});

describe("error strategies and retry (§2.6)", () => {
  const base = (data: Record<string, unknown>) =>
    graph(
      [
        { id: "start", type: "start" },
        { id: "code", type: "code", ...data },
        { id: "ok", type: "answer", answer: "ok {{#code.text#}}" },
        { id: "failed", type: "answer", answer: "fail branch: {{#code.error_type#}}" },
      ],
      [["start", "code"], ["code", "ok", "source"], ["code", "failed", "fail-branch"]],
    );

  it("aborts the run without a strategy", async () => {
    const run = await runGraph(base({}), { nodes: { code: failing() } });
    expect(run.status).toBe("failed");
    expect(run.error).toBe("boom");
    expect(run.events.find((e) => e.event === "node_finished")?.data).toMatchObject({ node_id: "start" });
  });

  it("default-value: exception status, default outputs and error fields, partial-succeeded", async () => {
    const run = await runGraph(base({ error_strategy: "default-value", default_value: [{ key: "text", type: "string", value: "fallback" }] }), { nodes: { code: failing() } });
    expect(run.status).toBe("partial-succeeded");
    expect(run.pool.value(["code", "text"])).toBe("fallback");
    expect(run.pool.value(["code", "error_type"])).toBe("TestError");
    expect(run.events.find((e) => e.event === "node_finished" && e.data.node_id === "code")?.data.status).toBe("exception");
  });

  it("fail-branch: the fail-branch edge is taken, the source edge skipped", async () => {
    const run = await runGraph(base({ error_strategy: "fail-branch" }), { nodes: { code: failing() } });
    expect(run.status).toBe("partial-succeeded");
    expect(run.text).toBe("fail branch: TestError");
  });

  it("retries a failing node with node_retry events, then succeeds", async () => {
    let calls = 0;
    const flaky: NodeDefinition = {
      type: "code",
      retries: true,
      async run() {
        if (++calls < 3) throw new NodeError(`try ${calls}`);
        return { outputs: { text: "done" } };
      },
    };
    const run = await runGraph(base({ retry_config: { retry_enabled: true, max_retries: 3, retry_interval: 1 } }), { nodes: { code: flaky } });
    expect(run.status).toBe("succeeded");
    expect(run.events.filter((e) => e.event === "node_retry").map((e) => e.data.retry_index)).toEqual([1, 2]);
    expect(run.events.filter((e) => e.event === "node_started" && e.data.node_id === "code")).toHaveLength(1);
    expect(run.text).toBe("ok done");
  });

  it("does not retry node types that do not support it", async () => {
    let calls = 0;
    const once: NodeDefinition = {
      type: "answer",
      async run() {
        calls++;
        throw new NodeError("no");
      },
    };
    const g = graph([{ id: "start", type: "start" }, { id: "a", type: "answer", retry_config: { retry_enabled: true, max_retries: 3 } }], [["start", "a"]]);
    const run = await runGraph(g, { nodes: { answer: once } });
    expect(run.status).toBe("failed");
    expect(calls).toBe(1);
  });
});

describe("limits and stop", () => {
  const chain = (n: number) =>
    graph(
      [{ id: "start", type: "start" }, ...Array.from({ length: n }, (_, i) => ({ id: `a${i}`, type: "answer", answer: `${i}` }))],
      Array.from({ length: n }, (_, i) => [i === 0 ? "start" : `a${i - 1}`, `a${i}`] as [string, string]),
    );

  it("fails at WORKFLOW_MAX_EXECUTION_STEPS", async () => {
    const run = await runGraph(chain(10), { maxSteps: 5 });
    expect(run.status).toBe("failed");
    expect(run.error).toBe("Max steps 5 reached.");
  });

  it("fails at WORKFLOW_MAX_EXECUTION_TIME", async () => {
    const slow: NodeDefinition = { ...streamingNode("a b c d e f g h", 150), type: "llm" };
    const g = graph([{ id: "start", type: "start" }, { id: "llm", type: "llm" }, { id: "after", type: "answer", answer: "x" }], [["start", "llm"], ["llm", "after"]]);
    const run = await runGraph(g, { nodes: { llm: slow }, deadlineMs: 300 });
    expect(run.status).toBe("failed");
    expect(run.error).toBe("Max execution time 0s reached.");
  });

  it("stops running nodes and starts no new ones", async () => {
    const controller = new AbortController();
    let sawAbort = false;
    const waits: NodeDefinition = {
      type: "llm",
      async run({ signal }) {
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
        sawAbort = true;
        throw new NodeError("aborted");
      },
    };
    const g = graph([{ id: "start", type: "start" }, { id: "llm", type: "llm" }, { id: "after", type: "answer", answer: "{{#llm.text#}} never" }], [["start", "llm"], ["llm", "after"]]);
    setTimeout(() => controller.abort(), 20);
    const run = await runGraph(g, { nodes: { llm: waits }, signal: controller.signal });
    expect(run.status).toBe("stopped");
    expect(sawAbort).toBe(true);
    expect(run.text).toBe("");
  });
});

describe("values as text (§2.4)", () => {
  const pool = new VariablePool({ n: { int: 3, float: 1.5, yes: true, obj: { a: 1, b: "x" }, list: ["a", "b"], nums: [1, 2], empty: [] } });
  it("renders Python's str of numbers and booleans, JSON of objects and string lists", () => {
    expect(renderVariables("{{#n.int#}} {{#n.float#}} {{#n.yes#}}", pool)).toBe("3 1.5 True");
    expect(renderVariables("{{#n.obj#}}", pool)).toBe('{"a": 1, "b": "x"}');
    expect(renderVariables("{{#n.list#}}|{{#n.nums#}}|{{#n.empty#}}", pool)).toBe('["a", "b"]|[1, 2]|');
  });
  it("renders a missing reference as its bare path", () => {
    expect(renderVariables("x {{#abc.x#}} y {{#n.nope#}}", pool)).toBe("x abc.x y n.nope");
  });
  it("markdown: objects indented, lists as items", () => {
    expect(toMarkdown({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(toMarkdown(["a", "b"])).toBe("- a\n- b");
    expect(toText(null)).toBe("");
  });
  it("resolves legacy [start, sys.query] selectors", async () => {
    const g = graph([{ id: "start", type: "start" }, { id: "a", type: "answer", answer: "{{#start.sys.query#}}" }], [["start", "a"]]);
    expect((await runGraph(g, { sys: { query: "legacy" } })).pool.value(["start", "sys.query"])).toBe("legacy");
  });
});
