// What a node implementation sees and returns (one file per node type under nodes/, one registry in
// nodes/index.ts). A node reads the variable pool, may stream an output (LLM text), and returns its
// outputs and the branch it chose; a failure is a thrown NodeError (or any error), which the engine
// turns into retries, a default value, the fail branch or the run's failure (spec §2.6).
import type { Statement } from "../db/statements";
import type { Env } from "../env";
import type { MailMessage } from "../lib/mailer";
import type { WriteOptions } from "../tasks/outbox";
import type { HistoryTurn } from "../llm/prompt";
import type { ResolvedProvider } from "../llm/registry";
import type { LlmProvider } from "../llm/types";
import type { Tool, ToolRef, ToolSettings } from "../tools/types";
import type { GraphNode } from "./graph";
import type { FileValue, Json } from "./segments";
import type { Selector, VariablePool } from "./variable-pool";

export class NodeError extends Error {
  constructor(
    message: string,
    /** Dify's error_type output (e.g. "HTTPResponseCodeError"); defaults to the class name. */
    readonly errorType = "NodeError",
    /** Outputs a failed node still produced (an HTTP node's status_code and body). */
    readonly outputs: Json | null = null,
  ) {
    super(message);
  }
}

/** Settings nodes need (config.ts `workflow`, Dify's variable names and defaults). */
export interface WorkflowSettings {
  /** WORKFLOW_MAX_EXECUTION_STEPS, WORKFLOW_MAX_EXECUTION_TIME (seconds). */
  maxSteps: number;
  maxExecutionSeconds: number;
  /** CODE_EXECUTION_ENDPOINT: the dify-sandbox-compatible endpoint python3 code nodes run in; "" = none. */
  codeExecutionEndpoint: string;
  /** CODE_EXECUTION_API_KEY: its X-Api-Key. */
  codeExecutionApiKey: string;
  /** CODE_EXECUTION_CONNECT_TIMEOUT / _READ_TIMEOUT / _WRITE_TIMEOUT, seconds (the sandbox call). */
  codeConnectTimeout: number;
  codeReadTimeout: number;
  codeWriteTimeout: number;
  /** CODE_EXECUTION_JS_TIMEOUT: seconds of CPU a javascript code node may use in QuickJS (≥ 1). */
  codeJsTimeout: number;
  /** CODE_EXECUTION_JS_MEMORY_LIMIT_MB: QuickJS heap limit of a javascript code node (1–32). */
  codeJsMemoryLimitMb: number;
  /** CODE_MAX_STRING_LENGTH, CODE_MAX_NUMBER, CODE_MIN_NUMBER, CODE_MAX_PRECISION, CODE_MAX_DEPTH,
   * CODE_MAX_STRING_ARRAY_LENGTH, CODE_MAX_OBJECT_ARRAY_LENGTH, CODE_MAX_NUMBER_ARRAY_LENGTH. */
  codeMaxStringLength: number;
  codeMaxNumber: number;
  codeMinNumber: number;
  codeMaxPrecision: number;
  codeMaxDepth: number;
  codeMaxStringArrayLength: number;
  codeMaxObjectArrayLength: number;
  codeMaxNumberArrayLength: number;
  /** TEMPLATE_TRANSFORM_MAX_LENGTH: characters of a template-transform output. */
  templateTransformMaxLength: number;
  /** HTTP_REQUEST_MAX_CONNECT_TIMEOUT / _READ_TIMEOUT / _WRITE_TIMEOUT, seconds (caps of a node's timeouts). */
  httpMaxConnectTimeout: number;
  httpMaxReadTimeout: number;
  httpMaxWriteTimeout: number;
  /** HTTP_REQUEST_NODE_MAX_TEXT_SIZE / _MAX_BINARY_SIZE, bytes. */
  httpMaxTextSize: number;
  httpMaxBinarySize: number;
  /** HTTP_REQUEST_NODE_SSL_VERIFY. */
  httpSslVerify: boolean;
  /** WORKFLOW_FILE_UPLOAD_LIMIT: files per run (sys.files). */
  fileUploadLimit: number;
  /** HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS: a waiting form expires (and its run stops) after this long. */
  humanInputGlobalTimeout: number;
  /** The tool layer's limits (tool nodes), the same object as Config.tools. */
  tools: ToolSettings;
}

/** What the run offers its nodes. */
export interface NodeServices {
  env: Env;
  settings: WorkflowSettings;
  appId: string;
  tenantId: string;
  /** The end user's session id (sys.user_id). */
  userId: string;
  endUserId: string;
  /** Chatflows: the conversation; workflows: null. */
  conversationId: string | null;
  /** The registered provider an app's Dify provider string ("langgenius/openai/openai") resolves to. */
  provider(difyProvider: string): Promise<{ resolved: ResolvedProvider; llm: LlmProvider }>;
  /** Chatflow memory: earlier turns of this conversation's thread, oldest first. */
  history(maxMessages: number): Promise<HistoryTurn[]>;
  /** Fetches through the SSRF guard (every hop re-checked). */
  fetch(url: string, init: RequestInit): Promise<Response>;
  /** The bytes of a file value (an upload in R2, or its remote URL through the guard). */
  readFile(file: FileValue): Promise<Uint8Array>;
  /** Stores bytes as an upload of the end user and returns the file value (HTTP responses, tool files). */
  saveFile(bytes: Uint8Array, name: string, mimeType: string): Promise<FileValue>;
  /** Queues D1 statements in the run's outbox (human-input forms); see tasks/outbox.ts WriteOptions. */
  write(statements: Statement[], options: WriteOptions): Promise<void>;
  /** The tool a tool node names, from the one tool registry (null when nothing here provides it). */
  tool(ref: ToolRef, signal?: AbortSignal): Promise<Tool | null>;
  /** Sends a mail through the project's mailer (the D1 outbox locally). */
  mail(message: MailMessage): Promise<void>;
  /** The run's identity for rows it creates. */
  runId: string;
  /** Origin of the end-user pages (form links in mails). */
  webBaseUrl: string;
}

export interface NodeRun {
  node: GraphNode;
  pool: VariablePool;
  services: NodeServices;
  signal: AbortSignal;
  /** Streams a chunk of one of the node's outputs (listed in `streams`) to answers and End nodes. */
  stream(output: string, chunk: string): void;
  /** Runs a container's children (iteration and loop nodes only). */
  scope: ScopeRunner;
  /** What resumed this node after it paused (a human-input submission or timeout), if anything. */
  resumeData?: unknown;
  /** Emits one of the node's own events (human_input_required, …) with `data`. */
  emit(event: string, data: Json): void;
}

export interface ScopeResult {
  /** "paused": a node inside waits for a person; the container returns a pause with its own progress. */
  status: "succeeded" | "failed" | "stopped" | "partial-succeeded" | "paused";
  error: string | null;
  /** A loop-end node ran in this round. */
  broke: boolean;
  steps: number;
  tokens: number;
}

export interface ScopeRunner {
  /** Runs the children of this container from `startNodeId` on `pool`; events carry `tags`. */
  run(startNodeId: string, pool: VariablePool, tags: { iteration?: { id: string; index: number }; loop?: { id: string; index: number } }): Promise<ScopeResult>;
  /** Emits a container event (iteration_started, loop_next, …) with its data. */
  emit(event: string, data: Json): void;
  /** The container's node execution (its id, index and start) for its own events. */
  execution(): { id: string; index: number; createdAt: number };
  /** The ids of the nodes inside this container. */
  children(): string[];
  /** Every node inside this container, nested containers' nodes included. */
  descendants(): GraphNode[];
  /**
   * When this execution resumes a paused round: the pool that round ran on (containers that run a
   * round on a copy of the pool continue on it). The next run() continues that round.
   */
  resumedPool(): VariablePool | null;
}

export interface NodeOutcome {
  outputs: Json;
  inputs?: Json;
  processData?: Json;
  /** The branch handle taken; "source" unless the node is a branch node. */
  handle?: string;
  /** Tokens and price a node spent (LLM nodes). */
  usage?: { totalTokens: number; totalPrice: string; currency: string };
  /** Writes to variables outside the node (assigners): applied, and persisted for conversation.*. */
  updates?: { selector: Selector; value: unknown }[];
  /** The node waits for a person (human input): the run pauses; the node runs again on resume. */
  pause?: Json;
}

export interface NodeDefinition {
  type: string;
  run(run: NodeRun): Promise<NodeOutcome>;
  /** Outputs streamed through run.stream (e.g. ["text"]). */
  streams?: string[];
  /** retry_config is honoured (llm, code, http-request, tool). */
  retries?: boolean;
  /** A configuration problem found at import (null when fine). */
  check?(data: Json): string | null;
}
