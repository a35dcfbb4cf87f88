// Every setting, read from the Worker env once per env object, typed, with Dify's defaults.
// Each variable is documented in README and `.dev.vars.example`.
import type { Env } from "./env";

export interface Config {
  secretKey: string;
  adminApiKey: string | null;
  corsAllowOrigins: "*" | string[];
  /** Base URL for signed file URLs; empty = the request's own origin. */
  filesUrl: string;
  filesAccessTimeout: number;
  uploadFileSizeLimitMb: number;
  uploadImageFileSizeLimitMb: number;
  uploadVideoFileSizeLimitMb: number;
  uploadAudioFileSizeLimitMb: number;
  workflowFileUploadLimit: number;
  /** Upload extensions refused with file_extension_blocked (UPLOAD_FILE_EXTENSION_BLACKLIST, comma separated). */
  uploadFileExtensionBlacklist: string[];
  /** host:port pairs remote file fetches may reach even when they are internal (SSRF_ALLOWED_HOSTS). */
  ssrfAllowedHosts: string[];
  /** DNS-over-HTTPS JSON endpoint that resolves remote file hosts before the SSRF check; null = "off". */
  ssrfDnsResolver: string | null;
  /** Seconds a remote file host may take to answer each hop, and between body chunks. */
  remoteFileTimeout: number;
  /** Redirects a remote file fetch follows (every hop is re-checked). */
  remoteFileMaxRedirects: number;
  /** How images reach vision models: base64 data URLs or signed file URLs (Dify's MULTIMODAL_SEND_FORMAT). */
  multimodalSendFormat: "base64" | "url";
  appMaxActiveRequests: number;
  appDefaultActiveRequests: number;
  appMaxExecutionTime: number;
  defaultModelProvider: string;
  /** Seconds that app/site/end-user lookups stay cached in isolate memory. */
  cacheTtlSeconds: number;
  logLevel: "debug" | "info" | "warn" | "error";
  deployEnv: string;
}

export class ConfigError extends Error {}

const cache = new WeakMap<object, Config>();

export function getConfig(env: Env): Config {
  let config = cache.get(env);
  if (!config) {
    config = readConfig(env);
    cache.set(env, config);
  }
  return config;
}

function readConfig(env: Env): Config {
  const str = (name: string, fallback: string): string => {
    const value = env[name];
    return typeof value === "string" && value.trim() !== "" ? value.trim() : fallback;
  };
  const int = (name: string, fallback: number): number => {
    const raw = str(name, "");
    if (raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new ConfigError(`${name} must be a non-negative number, got "${raw}"`);
    return Math.floor(value);
  };
  const secretKey = str("SECRET_KEY", "");
  if (!secretKey) throw new ConfigError("SECRET_KEY is not set; run `npm run dev` once or `wrangler secret put SECRET_KEY`");
  const list = (name: string): string[] => str(name, "").split(",").map((item) => item.trim()).filter(Boolean);
  const dnsResolver = str("SSRF_DNS_RESOLVER", "https://cloudflare-dns.com/dns-query");
  const origins = str("WEB_API_CORS_ALLOW_ORIGINS", "*");
  const logLevel = str("LOG_LEVEL", "info");
  return {
    secretKey,
    adminApiKey: str("ADMIN_API_KEY", "") || null,
    corsAllowOrigins: origins === "*" ? "*" : origins.split(",").map((o) => o.trim()).filter(Boolean),
    filesUrl: str("FILES_URL", "").replace(/\/+$/, ""),
    filesAccessTimeout: int("FILES_ACCESS_TIMEOUT", 300),
    uploadFileSizeLimitMb: int("UPLOAD_FILE_SIZE_LIMIT", 15),
    uploadImageFileSizeLimitMb: int("UPLOAD_IMAGE_FILE_SIZE_LIMIT", 10),
    uploadVideoFileSizeLimitMb: int("UPLOAD_VIDEO_FILE_SIZE_LIMIT", 100),
    uploadAudioFileSizeLimitMb: int("UPLOAD_AUDIO_FILE_SIZE_LIMIT", 50),
    workflowFileUploadLimit: int("WORKFLOW_FILE_UPLOAD_LIMIT", 10),
    uploadFileExtensionBlacklist: list("UPLOAD_FILE_EXTENSION_BLACKLIST").map((ext) => ext.replace(/^\.+/, "").toLowerCase()),
    ssrfAllowedHosts: list("SSRF_ALLOWED_HOSTS").map((host) => host.toLowerCase()),
    ssrfDnsResolver: dnsResolver.toLowerCase() === "off" ? null : dnsResolver,
    remoteFileTimeout: int("REMOTE_FILE_FETCH_TIMEOUT", 5),
    remoteFileMaxRedirects: int("REMOTE_FILE_MAX_REDIRECTS", 3),
    multimodalSendFormat: str("MULTIMODAL_SEND_FORMAT", "base64") === "url" ? "url" : "base64",
    appMaxActiveRequests: int("APP_MAX_ACTIVE_REQUESTS", 0),
    appDefaultActiveRequests: int("APP_DEFAULT_ACTIVE_REQUESTS", 0),
    appMaxExecutionTime: int("APP_MAX_EXECUTION_TIME", 1200),
    defaultModelProvider: str("DEFAULT_MODEL_PROVIDER", "echo"),
    cacheTtlSeconds: int("CACHE_TTL_SECONDS", 5),
    logLevel: (["debug", "info", "warn", "error"].includes(logLevel) ? logLevel : "info") as Config["logLevel"],
    deployEnv: str("DEPLOY_ENV", "PRODUCTION"),
  };
}
