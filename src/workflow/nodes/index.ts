// The one table of node types this server runs. The engine dispatches on it and the DSL import checks
// node types against it (dsl/graph.ts): a type missing here is refused at import, or fails its node
// with a clear error at run time.
import type { NodeDefinition } from "../types";
import { answerNode } from "./answer";
import { assignerNode } from "./assigner";
import { codeNode } from "./code";
import { documentExtractorNode } from "./document-extractor";
import { endNode } from "./end";
import { humanInputNode } from "./human-input";
import { ifElseNode } from "./if-else";
import { iterationNode, iterationStartNode } from "./iteration";
import { llmNode } from "./llm";
import { httpRequestNode } from "./http-request";
import { listOperatorNode } from "./list-operator";
import { loopEndNode, loopNode, loopStartNode } from "./loop";
import { parameterExtractorNode } from "./parameter-extractor";
import { questionClassifierNode } from "./question-classifier";
import { startNode } from "./start";
import { templateTransformNode } from "./template-transform";
import { toolNode } from "./tool";
import { variableAggregatorNode, variableAssignerAliasNode } from "./variable-aggregator";

const NODES: NodeDefinition[] = [
  startNode,
  endNode,
  answerNode,
  ifElseNode,
  variableAggregatorNode,
  variableAssignerAliasNode,
  assignerNode,
  iterationNode,
  iterationStartNode,
  loopNode,
  loopStartNode,
  loopEndNode,
  humanInputNode,
  llmNode,
  questionClassifierNode,
  parameterExtractorNode,
  templateTransformNode,
  httpRequestNode,
  listOperatorNode,
  documentExtractorNode,
  toolNode,
  codeNode,
];

export const NODE_REGISTRY: ReadonlyMap<string, NodeDefinition> = new Map(NODES.map((n) => [n.type, n]));

export function nodeDefinition(type: string): NodeDefinition | undefined {
  return NODE_REGISTRY.get(type);
}
