// The pages' one way to call /api/*: same-origin, the passport travels in the HttpOnly cookie the
// worker set (POST /webapp-passport), X-App-Code names it. Failures become ApiFailure with Dify's
// envelope; the 401 codes Dify's client acts on send the browser to the sign-in page, as Dify's.

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let shareCode = "";
// Only the embedded chatbot in a third-party page holds its passport in memory (see session.ts).
let headerPassport: string | null = null;

export function setHeaderPassport(token: string): void {
  headerPassport = token;
}

export function setShareCode(code: string): void {
  shareCode = code;
}

export const currentShareCode = (): string => shareCode;

export type Query = Record<string, string | number | boolean | null | undefined>;

export function withQuery(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined && value !== null) params.set(key, String(value));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export interface CallOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Do not navigate to the sign-in page on a 401 (the sign-in page itself, bootstrap). */
  noRedirect?: boolean;
}

const SIGN_IN_CODES = new Set(["web_sso_auth_required", "unauthorized", "web_app_access_denied"]);

export function signInUrl(failure?: ApiFailure): string {
  const params = new URLSearchParams({ redirect_url: location.pathname + location.search });
  if (failure?.code === "web_app_access_denied") {
    params.set("message", failure.message);
    params.set("code", "403");
  }
  return `/webapp-signin?${params}`;
}

/** Reads a failed response's envelope. */
export async function failureOf(res: Response): Promise<ApiFailure> {
  let body: { code?: string; message?: string } = {};
  try {
    body = await res.json();
  } catch {
    // not JSON: a proxy or the network
  }
  return new ApiFailure(res.status, body.code ?? "http_error", body.message ?? res.statusText ?? "Request failed");
}

/** Navigates to sign-in for the codes Dify's client does; returns whether it did. */
export function redirectIfSignInNeeded(failure: ApiFailure, options: CallOptions = {}): boolean {
  if (options.noRedirect || failure.status !== 401 || !SIGN_IN_CODES.has(failure.code)) return false;
  location.assign(signInUrl(failure));
  return true;
}

/** Raw fetch with the page headers. */
export function request(path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { "X-App-Code": shareCode, ...(headerPassport ? { "X-App-Passport": headerPassport } : {}), ...options.headers };
  let body: BodyInit | undefined;
  if (options.form) body = options.form;
  else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  return fetch(withQuery(`/api${path}`, options.query), {
    method: options.method ?? (body ? "POST" : "GET"),
    headers,
    body,
    credentials: "same-origin",
    signal: options.signal,
  });
}

/** A JSON call; 204 reads as {result: "success"} as in Dify's client. */
export async function api<T = any>(path: string, options: CallOptions = {}): Promise<T> {
  const res = await request(path, options);
  if (res.ok) return (res.status === 204 ? { result: "success" } : await res.json()) as T;
  const failure = await failureOf(res);
  redirectIfSignInNeeded(failure, options);
  throw failure;
}
