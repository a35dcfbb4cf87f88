// Maps an upstream HTTP failure to Dify's error codes without echoing raw bodies: only a
// provider's own JSON error message (bounded) is passed on, as Dify passes invoke errors on.
import { ApiError, CompletionRequestError, InvokeRateLimit, ProviderNotInitialize } from "../lib/errors";

async function upstreamMessage(res: Response): Promise<string | null> {
  try {
    const body = (await res.json()) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message);
    return typeof message === "string" && message.trim() ? message.trim().slice(0, 300) : null;
  } catch {
    return null;
  }
}

export async function upstreamError(res: Response, provider: string): Promise<ApiError> {
  const detail = await upstreamMessage(res);
  const suffix = detail ? `: ${detail}` : "";
  if (res.status === 401 || res.status === 403) {
    return new ProviderNotInitialize(`The model provider "${provider}" rejected its credentials (HTTP ${res.status})${suffix}`);
  }
  if (res.status === 429) return new InvokeRateLimit(`Rate Limit Error: the model provider "${provider}" is rate limiting requests${suffix}`);
  return new CompletionRequestError(`[${provider}] Completion request failed (HTTP ${res.status})${suffix}`);
}
