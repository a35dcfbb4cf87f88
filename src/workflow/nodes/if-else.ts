// if-else (spec §3.7): cases in order, the first true case's id is the branch taken, else "false".
// The pre-cases shape (logical_operator + conditions at the top) is one case with id "true".
import { type Condition, evaluateConditions } from "../conditions";
import type { NodeDefinition } from "../types";

interface Case {
  case_id?: unknown;
  logical_operator?: unknown;
  conditions?: Condition[];
}

export const ifElseNode: NodeDefinition = {
  type: "if-else",
  async run({ node, pool }) {
    const cases: Case[] = Array.isArray(node.data.cases)
      ? (node.data.cases as Case[])
      : [{ case_id: "true", logical_operator: node.data.logical_operator, conditions: node.data.conditions as Condition[] }];
    for (const c of cases) {
      if (evaluateConditions(Array.isArray(c.conditions) ? c.conditions : [], c.logical_operator, pool)) {
        const id = String(c.case_id ?? "true");
        return { outputs: { result: true, selected_case_id: id }, handle: id };
      }
    }
    return { outputs: { result: false, selected_case_id: "false" }, handle: "false" };
  },
};
