// The app registry read path: an app with its site, tenant, model config and published workflow,
// loaded in one D1 round trip and cached in isolate memory for CACHE_TTL_SECONDS (the passport
// check runs on every request; apps change rarely, and admin writes invalidate this isolate).
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client";
import { type App, type AppModelConfig, apps, appModelConfigs, type Site, sites, type Tenant, tenants, type Workflow, workflows } from "../../db/schema";

export interface AppContext {
  app: App;
  site: Site | null;
  tenant: Tenant | null;
  modelConfig: AppModelConfig | null;
  workflow: Workflow | null;
}

interface Entry<T> {
  expires: number;
  value: Promise<T>;
}

const byId = new Map<string, Entry<AppContext | null>>();
const byCode = new Map<string, Entry<string | null>>();
const MAX_ENTRIES = 1000;

function cached<T>(map: Map<string, Entry<T>>, key: string, ttlSeconds: number, load: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const hit = map.get(key);
  if (hit && hit.expires > now) return hit.value;
  if (map.size >= MAX_ENTRIES) map.clear();
  const value = load();
  map.set(key, { expires: now + ttlSeconds * 1000, value });
  // A failed load must not stay cached.
  value.catch(() => map.delete(key));
  return value;
}

async function loadById(db: Db, appId: string): Promise<AppContext | null> {
  const row = await db
    .select({ app: apps, site: sites, tenant: tenants, modelConfig: appModelConfigs, workflow: workflows })
    .from(apps)
    .leftJoin(sites, eq(sites.appId, apps.id))
    .leftJoin(tenants, eq(tenants.id, apps.tenantId))
    .leftJoin(appModelConfigs, eq(appModelConfigs.id, apps.appModelConfigId))
    .leftJoin(workflows, eq(workflows.id, apps.workflowId))
    .where(eq(apps.id, appId))
    .get();
  return row ?? null;
}

export function getAppContext(db: Db, appId: string, ttlSeconds: number): Promise<AppContext | null> {
  return cached(byId, appId, ttlSeconds, () => loadById(db, appId));
}

/** The app serving share code `code` (any site status; callers check what they need). */
export async function getAppContextByCode(db: Db, code: string, ttlSeconds: number): Promise<AppContext | null> {
  const appId = await cached(byCode, code, ttlSeconds, async () => {
    const site = await db.select({ appId: sites.appId }).from(sites).where(eq(sites.code, code)).get();
    return site?.appId ?? null;
  });
  return appId ? getAppContext(db, appId, ttlSeconds) : null;
}

/** Drops this isolate's cached copies after an admin write (other isolates expire within the TTL). */
export function invalidateAppCache(appId?: string): void {
  if (appId === undefined) {
    byId.clear();
    byCode.clear();
    return;
  }
  byId.delete(appId);
  byCode.clear();
}
