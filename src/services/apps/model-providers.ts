// The model provider registry (admin API): an app's Dify provider string (e.g.
// "langgenius/openai/openai" or "openai") resolves to the provider registered under its last
// path segment, else to DEFAULT_MODEL_PROVIDER. API keys are stored AES-GCM encrypted.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type ModelProvider, modelProviders } from "../../db/schema";
import { ProviderNotInitialize } from "../../lib/errors";
import { decryptString, encryptString } from "../../lib/crypto";
import { nowSeconds } from "../../lib/ids";

export const PROVIDER_TYPES = ["openai-compatible", "workers-ai", "echo"] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];
const KEY_PURPOSE = "model-provider-api-key";

export interface ProviderView {
  name: string;
  type: ProviderType;
  base_url: string | null;
}

export interface ResolvedProvider {
  name: string;
  type: ProviderType;
  baseUrl: string | null;
  apiKey: string | null;
  config: Record<string, unknown>;
}

export const view = (row: ModelProvider): ProviderView => ({ name: row.name, type: row.type as ProviderType, base_url: row.baseUrl });

/** "langgenius/openai/openai" → "openai"; "openai" → "openai". */
export function providerKey(difyProvider: string): string {
  const segments = difyProvider.split("/").filter(Boolean);
  return (segments.at(-1) ?? difyProvider).toLowerCase();
}

export async function putProvider(
  db: Db,
  secretKey: string,
  input: { name: string; type: ProviderType; base_url?: string | null; api_key?: string | null; config?: Record<string, unknown> | null },
): Promise<ProviderView> {
  const now = nowSeconds();
  const apiKeyEncrypted = input.api_key ? await encryptString(secretKey, KEY_PURPOSE, input.api_key) : null;
  const values = {
    type: input.type,
    baseUrl: input.base_url ?? null,
    apiKeyEncrypted,
    config: input.config ?? null,
    updatedAt: now,
  };
  const row = await db
    .insert(modelProviders)
    .values({ name: input.name, ...values, createdAt: now })
    .onConflictDoUpdate({ target: modelProviders.name, set: values })
    .returning()
    .get();
  return view(row);
}

export async function listProviders(db: Db): Promise<ProviderView[]> {
  return (await db.select().from(modelProviders).orderBy(modelProviders.name).all()).map(view);
}

export async function deleteProvider(db: Db, name: string): Promise<boolean> {
  const deleted = await db.delete(modelProviders).where(eq(modelProviders.name, name)).returning({ name: modelProviders.name });
  return deleted.length > 0;
}

export async function registeredProviderNames(db: Db): Promise<Set<string>> {
  return new Set((await db.select({ name: modelProviders.name }).from(modelProviders).all()).map((r) => r.name));
}

/** The provider an app's model runs on. The built-in echo provider needs no registration. */
export async function resolveProvider(db: Db, secretKey: string, difyProvider: string, defaultProvider: string): Promise<ResolvedProvider> {
  for (const name of [providerKey(difyProvider), providerKey(defaultProvider)]) {
    const row = await db.select().from(modelProviders).where(eq(modelProviders.name, name)).get();
    if (row) {
      return {
        name: row.name,
        type: row.type as ProviderType,
        baseUrl: row.baseUrl,
        apiKey: row.apiKeyEncrypted ? await decryptString(secretKey, KEY_PURPOSE, row.apiKeyEncrypted) : null,
        config: (row.config as Record<string, unknown> | null) ?? {},
      };
    }
    if (name === "echo") return { name: "echo", type: "echo", baseUrl: null, apiKey: null, config: {} };
  }
  throw new ProviderNotInitialize(
    `Model provider "${providerKey(difyProvider)}" is not configured and DEFAULT_MODEL_PROVIDER "${defaultProvider}" is not registered.`,
  );
}
