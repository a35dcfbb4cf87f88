// The model provider registry (admin API): an app's Dify provider string (e.g.
// "langgenius/openai/openai" or "openai") resolves to the provider registered under its last
// path segment, else to DEFAULT_MODEL_PROVIDER (llm/registry.ts). API keys are stored AES-GCM encrypted.
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type ModelProvider, modelProviders } from "../../db/schema";
import { encryptString } from "../../lib/crypto";
import { forgetProviders, PROVIDER_KEY_PURPOSE, type ProviderType } from "../../llm/registry";
import { nowSeconds } from "../../lib/ids";

export interface ProviderView {
  name: string;
  type: ProviderType;
  base_url: string | null;
}

export const view = (row: ModelProvider): ProviderView => ({ name: row.name, type: row.type as ProviderType, base_url: row.baseUrl });

export async function putProvider(
  db: Db,
  secretKey: string,
  input: { name: string; type: ProviderType; base_url?: string | null; api_key?: string | null; config?: Record<string, unknown> | null },
): Promise<ProviderView> {
  const now = nowSeconds();
  const apiKeyEncrypted = input.api_key ? await encryptString(secretKey, PROVIDER_KEY_PURPOSE, input.api_key) : null;
  const values = {
    type: input.type,
    baseUrl: input.base_url ?? null,
    apiKeyEncrypted,
    config: input.config ?? null,
    updatedAt: now,
  };
  forgetProviders();
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
  forgetProviders();
  const deleted = await db.delete(modelProviders).where(eq(modelProviders.name, name)).returning({ name: modelProviders.name });
  return deleted.length > 0;
}

export async function registeredProviderNames(db: Db): Promise<Set<string>> {
  return new Set((await db.select({ name: modelProviders.name }).from(modelProviders).all()).map((r) => r.name));
}
