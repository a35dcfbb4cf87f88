// What the worker hands a TaskRunner to run an agent-chat answer (kind "agent").
import type { Statement } from "../db/statements";
import type { ChatMessage, ContentPart, ModelParams } from "../llm/types";
import type { TaskSpecBase } from "../tasks/types";
import type { ToolRef } from "../tools/types";

export interface AgentTool extends ToolRef {
  /** Configured values (tool_parameters of agent_mode.tools), merged under what the model fills. */
  tool_parameters?: Record<string, unknown>;
}

export interface AgentSpec extends TaskSpecBase {
  kind: "agent";
  messageId: string;
  conversationId: string;
  tenantId: string;
  /** conversation_id, message_id, created_at. */
  envelope: Record<string, unknown>;
  model: { provider: string; name: string; params: ModelParams };
  /** "function_call" or "react" as the app asks; the runner falls back to react for providers without tools. */
  strategy: "function_call" | "react";
  maxIteration: number;
  /** The app's instruction (pre_prompt, rendered with the inputs). */
  instruction: string;
  /** Earlier turns of the conversation's thread, with their tool calls (oldest first). */
  history: ChatMessage[];
  query: string;
  /** Image parts attached to the query. */
  queryFiles: ContentPart[];
  /** agent_mode.tools entries that are enabled. */
  tools: AgentTool[];
  /** message_end `files`. */
  files: unknown[];
  /** The prompt as stored in the message row (informational). */
  messages: ChatMessage[];
  rows: Statement[];
  userSessionId: string;
  runtime: {
    filesBaseUrl: string;
    filesAccessTimeout: number;
    ssrf: { allowedHosts: string[]; dnsResolver: string | null; timeoutSeconds: number; maxRedirects: number };
  };
}
