// answer (spec §3.3): the rendered markdown of its template and the files it references. What the
// user sees streams through the response coordinator (response.ts); this is the node's output.
import { filesIn } from "../segments";
import { renderVariables, templateSelectors } from "../template";
import type { NodeDefinition } from "../types";

export const answerNode: NodeDefinition = {
  type: "answer",
  async run({ node, pool }) {
    const template = typeof node.data.answer === "string" ? node.data.answer : "";
    const files = templateSelectors(template).flatMap((s) => filesIn(pool.get(s).value));
    return { outputs: { answer: renderVariables(template, pool, "markdown"), files } };
  },
};
