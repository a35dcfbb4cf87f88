// Structured JSON logs. Callers pass only what is safe to log: never headers, query strings,
// bodies, tokens, passwords or codes (those can carry credentials).
import type { Config } from "../config";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

export function log(config: Pick<Config, "logLevel"> | null, level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  if (LEVELS[level] < LEVELS[config?.logLevel ?? "info"]) return;
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...fields });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** A safe one-line description of an unexpected error (name and message, no stack). */
export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 500);
  return String(err).slice(0, 500);
}
