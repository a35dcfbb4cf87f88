// Auxiliary model calls made by the web API itself: a conversation title and follow-up questions.
// Both parse the model's text robustly and never fail the request on a bad answer.
import { complete, type LlmProvider } from "./types";
import type { HistoryTurn } from "./prompt";

const TITLE_MAX = 60;

function truncateQuery(query: string): string {
  const text = query.replace(/\s+/g, " ").trim();
  return text.length > 20 ? `${text.slice(0, 20)}...` : text || "New conversation";
}

/** A short title in the query's language; a truncated query when the model gives nothing usable. */
export async function generateTitle(provider: LlmProvider, model: string, query: string, signal: AbortSignal): Promise<string> {
  try {
    const { text } = await complete(provider, {
      model,
      params: { temperature: 0.2, max_tokens: 60 },
      signal,
      messages: [
        {
          role: "system",
          content:
            "You name conversations. Reply with only a concise title of at most 8 words for the user's message, written in the same language as the message. No quotes, no punctuation at the end, no explanation.",
        },
        { role: "user", content: query.slice(0, 2000) },
      ],
    });
    const title = text.split("\n").map((l) => l.trim()).find(Boolean)?.replace(/^(title\s*[:：]\s*)/i, "").replace(/^["'“「]+|["'”」]+$/g, "").trim() ?? "";
    return title && title.length <= TITLE_MAX ? title : truncateQuery(query);
  } catch {
    return truncateQuery(query);
  }
}

/** Parses up to three questions: a JSON array anywhere in the text, else question-like lines. */
export function parseQuestions(text: string): string[] {
  const start = text.indexOf("[");
  const end = text.lastIndexOf("]");
  if (start !== -1 && end > start) {
    try {
      const parsed = JSON.parse(text.slice(start, end + 1));
      if (Array.isArray(parsed)) {
        const questions = parsed.filter((q): q is string => typeof q === "string").map((q) => q.trim()).filter(Boolean);
        if (questions.length) return questions.slice(0, 3);
      }
    } catch {
      // fall through to line parsing
    }
  }
  return text
    .split("\n")
    .map((line) => line.replace(/^\s*(?:[-*•]|\d+[.)])\s*/, "").replace(/^["']|["'],?$/g, "").trim())
    .filter((line) => /[?？]$/.test(line) && line.length <= 200)
    .slice(0, 3);
}

export async function suggestQuestions(provider: LlmProvider, model: string, history: HistoryTurn[], signal: AbortSignal): Promise<string[]> {
  const transcript = history.map((t) => `Human: ${t.query}\nAssistant: ${t.answer}`).join("\n\n").slice(-6000);
  const { text } = await complete(provider, {
    model,
    params: { temperature: 0, max_tokens: 256 },
    signal,
    messages: [
      {
        role: "system",
        content:
          "Predict the three questions the human is most likely to ask next, each shorter than 20 words, in the same language as the assistant's latest reply. Answer with only a JSON array of three strings.",
      },
      { role: "user", content: transcript },
    ],
  });
  return parseQuestions(text);
}
