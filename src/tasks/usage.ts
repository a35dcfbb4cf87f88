// Dify's LLMUsage object (prices are decimal strings, latency in seconds) and the message price columns.
import type { TokenUsage } from "../llm/types";

export interface Pricing {
  /** Price per `unit` tokens (e.g. unit 0.001 → per 1K tokens), as decimal strings or numbers. */
  input: number;
  output: number;
  unit: number;
  currency: string;
}

const decimal = (value: number): string => value.toFixed(7);

export interface UsageView {
  prompt_tokens: number;
  prompt_unit_price: string;
  prompt_price_unit: string;
  prompt_price: string;
  completion_tokens: number;
  completion_unit_price: string;
  completion_price_unit: string;
  completion_price: string;
  total_tokens: number;
  total_price: string;
  currency: string;
  latency: number;
  time_to_first_token: number | null;
  time_to_generate: number | null;
}

export function usageView(tokens: TokenUsage, pricing: Pricing | null, timing: { latency: number; timeToFirstToken: number | null }): UsageView {
  const unit = pricing?.unit ?? 0;
  const promptPrice = pricing ? tokens.promptTokens * pricing.input * unit : 0;
  const completionPrice = pricing ? tokens.completionTokens * pricing.output * unit : 0;
  const round = (s: number) => Math.round(s * 1000) / 1000;
  return {
    prompt_tokens: tokens.promptTokens,
    prompt_unit_price: decimal(pricing?.input ?? 0),
    prompt_price_unit: decimal(unit),
    prompt_price: decimal(promptPrice),
    completion_tokens: tokens.completionTokens,
    completion_unit_price: decimal(pricing?.output ?? 0),
    completion_price_unit: decimal(unit),
    completion_price: decimal(completionPrice),
    total_tokens: tokens.promptTokens + tokens.completionTokens,
    total_price: decimal(promptPrice + completionPrice),
    currency: pricing?.currency ?? "USD",
    latency: round(timing.latency),
    time_to_first_token: timing.timeToFirstToken === null ? null : round(timing.timeToFirstToken),
    time_to_generate: timing.timeToFirstToken === null ? null : round(timing.latency - timing.timeToFirstToken),
  };
}

/** Provider registry `config.pricing` ({input, output, unit?, currency?}) → Pricing, if well-formed. */
export function pricingFrom(config: Record<string, unknown>): Pricing | null {
  const raw = config.pricing as { input?: unknown; output?: unknown; unit?: unknown; currency?: unknown } | undefined;
  if (!raw) return null;
  const input = Number(raw.input);
  const output = Number(raw.output);
  const unit = raw.unit === undefined ? 0.001 : Number(raw.unit);
  if (![input, output, unit].every((n) => Number.isFinite(n) && n >= 0)) return null;
  return { input, output, unit, currency: typeof raw.currency === "string" ? raw.currency : "USD" };
}
