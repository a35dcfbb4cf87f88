// Every setting, read from the Worker env once per env object, typed, with Dify's defaults.
// Each variable is documented in README and `.dev.vars.example`.
import type { Env } from "./env";
import type { ToolSettings } from "./tools/types";
import type { WorkflowSettings } from "./workflow/types";

export interface Config {
  secretKey: string;
  adminApiKey: string | null;
  corsAllowOrigins: "*" | string[];
  /** Origins whose pages may frame /chatbot/<code> (WEB_EMBED_ALLOWED_ORIGINS, CSP frame-ancestors); "*" = any. */
  embedAllowedOrigins: "*" | string[];
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
  /** Seconds an upstream model stream may stay silent before it is aborted. */
  modelIdleTimeout: number;
  /** Milliseconds between the echo provider's words. */
  echoDelayMs: number;
  /** Seconds a finished task's event log stays available for resume. */
  taskEventsRetention: number;
  /** Most recent messages of a conversation read as history (then trimmed to the model's context). */
  chatHistoryMaxMessages: number;
  /** Bounds on what a request may ask us to store (docs: README "Request limits"). */
  limits: RequestLimits;
  /** Seconds that app/site/end-user lookups stay cached in isolate memory. */
  cacheTtlSeconds: number;
  logLevel: "debug" | "info" | "warn" | "error";
  deployEnv: string;
  auth: AuthConfig;
  mail: MailConfig;
  /** Workflow engine and node settings (the workflow engine reads them as WorkflowSettings). */
  workflow: WorkflowSettings;
  /** Tools of agents and tool nodes: MCP servers and the webscraper (also config.workflow.tools). */
  tools: ToolSettings;
  /** Per-IP limits of GET and POST /api/form/human_input/{token} (each counted on its own). */
  webForm: { maxAttempts: number; windowSeconds: number };
}

/** Web-app sign-in (spec dify-web-auth.md; docs/auth.md). Durations in seconds. */
export interface AuthConfig {
  /** ENABLE_EMAIL_PASSWORD_LOGIN: password sign-in and password reset are served. */
  emailPasswordLogin: boolean;
  /** ENABLE_EMAIL_CODE_LOGIN: sign-in with a mailed one-time code is served. */
  emailCodeLogin: boolean;
  /** ACCESS_TOKEN_EXPIRE_MINUTES × 60: lifetime of a web-app login token and its app passports. */
  accessTokenTtl: number;
  /** EMAIL_CODE_LOGIN_TOKEN_EXPIRY_MINUTES × 60: lifetime of a sign-in code. */
  loginCodeTtl: number;
  /** RESET_PASSWORD_TOKEN_EXPIRY_MINUTES × 60: lifetime of a reset code and of the reset token it unlocks. */
  resetCodeTtl: number;
  /** LOGIN_MAX_FAILED_ATTEMPTS: wrong passwords or codes per email before it is locked. */
  maxFailedAttempts: number;
  /** LOGIN_LOCKOUT_DURATION: how long sign-in stays locked after the last failure. */
  loginLockout: number;
  /** FORGOT_PASSWORD_LOCKOUT_DURATION: how long password reset stays locked after the last wrong code. */
  resetLockout: number;
  /** EMAIL_CODE_LOGIN_RATE_LIMIT per EMAIL_CODE_LOGIN_RATE_LIMIT_WINDOW: sign-in mails per email. */
  loginCodeMailLimit: number;
  loginCodeMailWindow: number;
  /** RESET_PASSWORD_RATE_LIMIT per RESET_PASSWORD_RATE_LIMIT_WINDOW: reset mails per email. */
  resetMailLimit: number;
  resetMailWindow: number;
  /** EMAIL_SEND_IP_LIMIT_PER_MINUTE: mails of any kind requested from one client IP per minute. */
  mailsPerIpPerMinute: number;
  /** COOKIE_DOMAIN: domain of the webapp_access_token cookie that logout clears ("" = host-only). */
  cookieDomain: string;
}

export interface RequestLimits {
  /** QUERY_MAX_LENGTH: characters of a chat or completion `query`. */
  queryChars: number;
  /** INPUT_MAX_LENGTH: characters of one text input value (a ceiling above the form's max_length). */
  inputChars: number;
  /** INPUTS_MAX_BYTES: UTF-8 bytes of a request's validated `inputs` as JSON. */
  inputsBytes: number;
  /** JSON_BODY_MAX_BYTES: bytes of any JSON request body, refused before it is read. */
  jsonBodyBytes: number;
}

export type MailProvider = "outbox" | "send_email" | "resend";

export interface MailConfig {
  /** MAIL_PROVIDER: outbox (D1, read at GET /admin/outbox), send_email (binding EMAIL) or resend. */
  provider: MailProvider;
  /** MAIL_FROM: sender, "address" or "Name <address>". */
  from: string;
  /** RESEND_API_KEY / RESEND_API_URL: Resend's HTTP API. */
  resendApiKey: string;
  resendApiUrl: string;
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
  const num = (name: string, fallback: number): number => {
    const raw = str(name, "");
    if (raw === "") return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value)) throw new ConfigError(`${name} must be a number, got "${raw}"`);
    return value;
  };
  const secretKey = str("SECRET_KEY", "");
  if (!secretKey) throw new ConfigError("SECRET_KEY is not set; run `npm run dev` once or `wrangler secret put SECRET_KEY`");
  const list = (name: string): string[] => str(name, "").split(",").map((item) => item.trim()).filter(Boolean);
  const dnsResolver = str("SSRF_DNS_RESOLVER", "https://cloudflare-dns.com/dns-query");
  const origins = str("WEB_API_CORS_ALLOW_ORIGINS", "*");
  const embedOrigins = list("WEB_EMBED_ALLOWED_ORIGINS");
  const logLevel = str("LOG_LEVEL", "info");
  const tools: ToolSettings = {
    mcpTimeoutSeconds: int("MCP_TIMEOUT", 30),
    mcpToolsCacheTtl: int("MCP_TOOLS_CACHE_TTL", 300),
    webscraperMaxBytes: int("WEBSCRAPER_MAX_BYTES", 2 * 1024 * 1024),
    webscraperTimeoutSeconds: int("WEBSCRAPER_TIMEOUT", 30),
  };
  return {
    secretKey,
    adminApiKey: str("ADMIN_API_KEY", "") || null,
    corsAllowOrigins: origins === "*" ? "*" : origins.split(",").map((o) => o.trim()).filter(Boolean),
    embedAllowedOrigins: embedOrigins.length === 0 || embedOrigins.includes("*") ? "*" : embedOrigins,
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
    modelIdleTimeout: int("MODEL_IDLE_TIMEOUT", 60),
    echoDelayMs: int("ECHO_DELAY_MS", 40),
    taskEventsRetention: int("TASK_EVENTS_RETENTION", 600),
    chatHistoryMaxMessages: int("CHAT_HISTORY_MAX_MESSAGES", 500),
    limits: {
      queryChars: int("QUERY_MAX_LENGTH", 100_000),
      inputChars: int("INPUT_MAX_LENGTH", 100_000),
      inputsBytes: int("INPUTS_MAX_BYTES", 262_144),
      jsonBodyBytes: int("JSON_BODY_MAX_BYTES", 2_097_152),
    },
    cacheTtlSeconds: int("CACHE_TTL_SECONDS", 5),
    logLevel: (["debug", "info", "warn", "error"].includes(logLevel) ? logLevel : "info") as Config["logLevel"],
    deployEnv: str("DEPLOY_ENV", "PRODUCTION"),
    auth: readAuthConfig(str, int),
    mail: readMailConfig(env, str),
    workflow: {
      maxSteps: int("WORKFLOW_MAX_EXECUTION_STEPS", 500),
      maxExecutionSeconds: int("WORKFLOW_MAX_EXECUTION_TIME", 1200),
      codeExecutionEndpoint: str("CODE_EXECUTION_ENDPOINT", "").replace(/\/+$/, ""),
      codeExecutionApiKey: str("CODE_EXECUTION_API_KEY", "dify-sandbox"),
      codeConnectTimeout: int("CODE_EXECUTION_CONNECT_TIMEOUT", 10),
      codeReadTimeout: int("CODE_EXECUTION_READ_TIMEOUT", 60),
      codeWriteTimeout: int("CODE_EXECUTION_WRITE_TIMEOUT", 10),
      codeJsTimeout: Math.max(1, int("CODE_EXECUTION_JS_TIMEOUT", 5)),
      codeJsMemoryLimitMb: Math.min(32, Math.max(1, int("CODE_EXECUTION_JS_MEMORY_LIMIT_MB", 16))),
      codeMaxStringLength: int("CODE_MAX_STRING_LENGTH", 400_000),
      codeMaxNumber: num("CODE_MAX_NUMBER", 9_223_372_036_854_775_807),
      codeMinNumber: num("CODE_MIN_NUMBER", -9_223_372_036_854_775_808),
      codeMaxPrecision: int("CODE_MAX_PRECISION", 20),
      codeMaxDepth: int("CODE_MAX_DEPTH", 5),
      codeMaxStringArrayLength: int("CODE_MAX_STRING_ARRAY_LENGTH", 30),
      codeMaxObjectArrayLength: int("CODE_MAX_OBJECT_ARRAY_LENGTH", 30),
      codeMaxNumberArrayLength: int("CODE_MAX_NUMBER_ARRAY_LENGTH", 1000),
      templateTransformMaxLength: int("TEMPLATE_TRANSFORM_MAX_LENGTH", 400_000),
      httpMaxConnectTimeout: int("HTTP_REQUEST_MAX_CONNECT_TIMEOUT", 10),
      httpMaxReadTimeout: int("HTTP_REQUEST_MAX_READ_TIMEOUT", 600),
      httpMaxWriteTimeout: int("HTTP_REQUEST_MAX_WRITE_TIMEOUT", 600),
      httpMaxTextSize: int("HTTP_REQUEST_NODE_MAX_TEXT_SIZE", 1024 * 1024),
      httpMaxBinarySize: int("HTTP_REQUEST_NODE_MAX_BINARY_SIZE", 10 * 1024 * 1024),
      httpSslVerify: str("HTTP_REQUEST_NODE_SSL_VERIFY", "true").toLowerCase() !== "false",
      fileUploadLimit: int("WORKFLOW_FILE_UPLOAD_LIMIT", 10),
      humanInputGlobalTimeout: int("HUMAN_INPUT_GLOBAL_TIMEOUT_SECONDS", 7 * 24 * 3600),
      tools,
    },
    tools,
    webForm: { maxAttempts: int("WEB_FORM_SUBMIT_RATE_LIMIT_MAX_ATTEMPTS", 30), windowSeconds: int("WEB_FORM_SUBMIT_RATE_LIMIT_WINDOW_SECONDS", 60) },
  };
}

type StrReader = (name: string, fallback: string) => string;

function readAuthConfig(str: StrReader, int: (name: string, fallback: number) => number): AuthConfig {
  const bool = (name: string, fallback: boolean): boolean => {
    const raw = str(name, String(fallback)).toLowerCase();
    if (!["true", "false", "1", "0"].includes(raw)) throw new ConfigError(`${name} must be true or false, got "${raw}"`);
    return raw === "true" || raw === "1";
  };
  return {
    emailPasswordLogin: bool("ENABLE_EMAIL_PASSWORD_LOGIN", true),
    emailCodeLogin: bool("ENABLE_EMAIL_CODE_LOGIN", false),
    accessTokenTtl: int("ACCESS_TOKEN_EXPIRE_MINUTES", 60) * 60,
    loginCodeTtl: int("EMAIL_CODE_LOGIN_TOKEN_EXPIRY_MINUTES", 5) * 60,
    resetCodeTtl: int("RESET_PASSWORD_TOKEN_EXPIRY_MINUTES", 5) * 60,
    maxFailedAttempts: int("LOGIN_MAX_FAILED_ATTEMPTS", 5),
    loginLockout: int("LOGIN_LOCKOUT_DURATION", 86400),
    resetLockout: int("FORGOT_PASSWORD_LOCKOUT_DURATION", 86400),
    loginCodeMailLimit: int("EMAIL_CODE_LOGIN_RATE_LIMIT", 3),
    loginCodeMailWindow: int("EMAIL_CODE_LOGIN_RATE_LIMIT_WINDOW", 300),
    resetMailLimit: int("RESET_PASSWORD_RATE_LIMIT", 1),
    resetMailWindow: int("RESET_PASSWORD_RATE_LIMIT_WINDOW", 60),
    mailsPerIpPerMinute: int("EMAIL_SEND_IP_LIMIT_PER_MINUTE", 50),
    cookieDomain: str("COOKIE_DOMAIN", "").replace(/^\./, ""),
  };
}

function readMailConfig(env: Env, str: StrReader): MailConfig {
  const provider = str("MAIL_PROVIDER", "outbox");
  if (provider !== "outbox" && provider !== "send_email" && provider !== "resend") {
    throw new ConfigError(`MAIL_PROVIDER must be outbox, send_email or resend, got "${provider}"`);
  }
  const resendApiKey = str("RESEND_API_KEY", "");
  if (provider === "resend" && !resendApiKey) throw new ConfigError("MAIL_PROVIDER=resend needs RESEND_API_KEY");
  if (provider === "send_email" && !env.EMAIL) throw new ConfigError("MAIL_PROVIDER=send_email needs the send_email binding EMAIL in wrangler.toml");
  return {
    provider,
    from: str("MAIL_FROM", "Dify <no-reply@dify.local>"),
    resendApiKey,
    resendApiUrl: str("RESEND_API_URL", "https://api.resend.com").replace(/\/+$/, ""),
  };
}
