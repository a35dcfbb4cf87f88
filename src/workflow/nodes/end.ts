// end (spec §3.2): each output variable from its selector (null when the source never produced it);
// the outputs become the run's outputs. Streaming is the response coordinator's (response.ts).
import { asSelector } from "../variable-pool";
import type { NodeDefinition } from "../types";

export const endNode: NodeDefinition = {
  type: "end",
  async run({ node, pool }) {
    const outputs: Record<string, unknown> = {};
    for (const output of Array.isArray(node.data.outputs) ? (node.data.outputs as { variable?: unknown; value_selector?: unknown }[]) : []) {
      if (typeof output.variable !== "string") continue;
      const selector = asSelector(output.value_selector);
      outputs[output.variable] = selector ? (pool.get(selector).value ?? null) : null;
    }
    return { inputs: outputs, outputs };
  },
};
