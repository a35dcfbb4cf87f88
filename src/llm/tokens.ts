// Token estimates where a provider reports none (and for history trimming). There is no tokenizer
// for arbitrary models in a Worker; ~4 characters per token is the usual English approximation,
// and CJK characters count as one token each.
import { type ChatMessage, messageText } from "./types";

export function estimateTokens(text: string): number {
  if (!text) return 0;
  let cjk = 0;
  for (const ch of text) if (/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/.test(ch)) cjk++;
  return cjk + Math.ceil((text.length - cjk) / 4);
}

/** Per-message overhead as OpenAI counts it (role and separators). */
export function estimateMessagesTokens(messages: ChatMessage[]): number {
  return messages.reduce((sum, m) => sum + 4 + estimateTokens(messageText(m)), 2);
}
