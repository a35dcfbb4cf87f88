// sensitive_word_avoidance of type "keywords" (Dify's KeywordsModeration): an input hit answers the
// preset response without calling the model; an output hit replaces the answer.
type Json = Record<string, unknown>;

export interface KeywordModeration {
  keywords: string[];
  input: { presetResponse: string } | null;
  output: { presetResponse: string } | null;
}

export function keywordModeration(config: unknown): KeywordModeration | null {
  const c = config as { enabled?: unknown; type?: unknown; config?: Json } | null;
  if (!c || c.enabled !== true || c.type !== "keywords" || typeof c.config !== "object" || c.config === null) return null;
  const raw = c.config.keywords;
  const keywords = (typeof raw === "string" ? raw.split("\n") : Array.isArray(raw) ? raw.map(String) : [])
    .map((k) => k.trim())
    .filter(Boolean)
    .slice(0, 100);
  if (keywords.length === 0) return null;
  const side = (key: string) => {
    const s = (c.config as Json)[key] as { enabled?: unknown; preset_response?: unknown } | undefined;
    return s?.enabled === true ? { presetResponse: typeof s.preset_response === "string" ? s.preset_response : "" } : null;
  };
  return { keywords, input: side("inputs_config"), output: side("outputs_config") };
}

/** The preset response when the query or any string input contains a keyword (case-insensitive). */
export function inputModerationAnswer(moderation: KeywordModeration | null, query: string, inputs: Json): string | null {
  if (!moderation?.input) return null;
  const texts = [query, ...Object.values(inputs).filter((v): v is string => typeof v === "string")].map((t) => t.toLowerCase());
  const hit = moderation.keywords.some((k) => texts.some((t) => t.includes(k.toLowerCase())));
  return hit ? moderation.input.presetResponse : null;
}
