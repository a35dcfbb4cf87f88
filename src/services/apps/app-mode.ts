// The app-mode gate of spec dify-web-api.md §2.3.
import { NotChatApp, NotCompletionApp, NotWorkflowApp } from "../../lib/errors";
import type { AppContext } from "./app-registry";

export type ModeGate = "chat" | "completion" | "workflow";

const CHAT_MODES = new Set(["chat", "agent-chat", "advanced-chat"]);

/** The mode Dify runs an app as: a chat app whose agent_mode is enabled with an agent strategy is agent-chat. */
export function effectiveMode(ctx: AppContext): string {
  const { app, modelConfig } = ctx;
  if (app.mode === "chat" && modelConfig?.agentMode) {
    const agent = modelConfig.agentMode as { enabled?: unknown; strategy?: unknown };
    if (agent.enabled === true && (agent.strategy === "function_call" || agent.strategy === "react")) return "agent-chat";
  }
  return app.mode;
}

export function requireMode(ctx: AppContext, gate: ModeGate): void {
  const mode = effectiveMode(ctx);
  if (gate === "chat" && !CHAT_MODES.has(mode)) throw new NotChatApp();
  if (gate === "completion" && mode !== "completion") throw new NotCompletionApp();
  if (gate === "workflow" && mode !== "workflow") throw new NotWorkflowApp();
}
