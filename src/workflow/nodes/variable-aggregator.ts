// variable-aggregator, and its original name variable-assigner (spec §3.10): the first selector whose
// variable exists. Grouped: one output per group, read as [node, group, "output"].
import { asSelector, type VariablePool } from "../variable-pool";
import type { NodeDefinition } from "../types";

function first(selectors: unknown, pool: VariablePool): { found: boolean; value: unknown } {
  for (const raw of Array.isArray(selectors) ? selectors : []) {
    const selector = asSelector(raw);
    if (!selector) continue;
    const lookup = pool.get(selector);
    if (lookup.found) return lookup;
  }
  return { found: false, value: undefined };
}

export const variableAggregatorNode: NodeDefinition = {
  type: "variable-aggregator",
  async run({ node, pool }) {
    const settings = node.data.advanced_settings as { group_enabled?: unknown; groups?: { group_name?: unknown; variables?: unknown }[] } | undefined;
    const outputs: Record<string, unknown> = {};
    if (settings?.group_enabled === true && Array.isArray(settings.groups)) {
      for (const group of settings.groups) {
        const found = first(group.variables, pool);
        if (found.found && typeof group.group_name === "string") outputs[group.group_name] = { output: found.value };
      }
    } else {
      const found = first(node.data.variables, pool);
      if (found.found) outputs.output = found.value;
    }
    return { outputs };
  },
};

export const variableAssignerAliasNode: NodeDefinition = { ...variableAggregatorNode, type: "variable-assigner" };
