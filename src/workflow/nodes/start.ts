// start (spec §3.1): the run's inputs (validated by the app's request) plus the pool flattened as
// `sys.query`, `env.X`, `conversation.x`, so legacy selectors like ["<start>", "sys.query"] resolve.
import type { NodeDefinition } from "../types";

export const startNode: NodeDefinition = {
  type: "start",
  async run({ node, pool }) {
    return { outputs: { ...pool.variablesOf(node.id), ...pool.flattenedSystem() } };
  },
};
