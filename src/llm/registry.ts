// The model provider registry as runs read it: an app's Dify provider string ("langgenius/openai/openai"
// or "openai") resolves to the provider registered under its last path segment, else to
// DEFAULT_MODEL_PROVIDER; the API key is decrypted here, where the call is made (a TaskRunner
// resolves its provider itself, so no key crosses an RPC). Lookups are cached in isolate memory for
// CACHE_TTL_SECONDS; admin writes clear the cache of their isolate.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { modelProviders } from "../db/schema";
import { decryptString } from "../lib/crypto";
import { ProviderNotInitialize } from "../lib/errors";

export const PROVIDER_TYPES = ["openai-compatible", "workers-ai", "echo"] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];
export const PROVIDER_KEY_PURPOSE = "model-provider-api-key";

export interface ResolvedProvider {
  name: string;
  type: ProviderType;
  baseUrl: string | null;
  apiKey: string | null;
  config: Record<string, unknown>;
}

const ECHO: ResolvedProvider = { name: "echo", type: "echo", baseUrl: null, apiKey: null, config: {} };

/** "langgenius/openai/openai" → "openai"; "openai" → "openai". */
export function providerKey(difyProvider: string): string {
  const segments = difyProvider.split("/").filter(Boolean);
  return (segments.at(-1) ?? difyProvider).toLowerCase();
}

const cache = new Map<string, { until: number; value: Promise<ResolvedProvider | null> }>();

export function forgetProviders(): void {
  cache.clear();
}

async function load(db: Db, secretKey: string, name: string): Promise<ResolvedProvider | null> {
  const row = await db.select().from(modelProviders).where(eq(modelProviders.name, name)).get();
  if (!row) return name === "echo" ? ECHO : null;
  return {
    name: row.name,
    type: row.type as ProviderType,
    baseUrl: row.baseUrl,
    apiKey: row.apiKeyEncrypted ? await decryptString(secretKey, PROVIDER_KEY_PURPOSE, row.apiKeyEncrypted) : null,
    config: (row.config as Record<string, unknown> | null) ?? {},
  };
}

/** The provider registered under `name` (the built-in echo needs no registration), or null. */
export function providerByName(db: Db, secretKey: string, name: string, ttlSeconds: number): Promise<ResolvedProvider | null> {
  const now = Date.now();
  const hit = cache.get(name);
  if (hit && hit.until > now) return hit.value;
  const value = load(db, secretKey, name);
  cache.set(name, { until: now + ttlSeconds * 1000, value });
  value.catch(() => cache.delete(name));
  return value;
}

/** The provider an app's model runs on: its own provider's registration, else the default's. */
export async function resolveProvider(db: Db, secretKey: string, difyProvider: string, defaultProvider: string, ttlSeconds = 0): Promise<ResolvedProvider> {
  for (const name of [providerKey(difyProvider), providerKey(defaultProvider)]) {
    const provider = await providerByName(db, secretKey, name, ttlSeconds);
    if (provider) return provider;
  }
  throw new ProviderNotInitialize(
    `Model provider "${providerKey(difyProvider)}" is not configured and DEFAULT_MODEL_PROVIDER "${defaultProvider}" is not registered.`,
  );
}
