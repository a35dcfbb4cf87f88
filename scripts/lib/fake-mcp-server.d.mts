export interface FakeMcpTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  call(args: Record<string, any>, context: { signal: AbortSignal }): unknown;
}
export interface FakeMcpState {
  mode: "json" | "sse";
  sessions: boolean;
  pageSize: number;
  delayMs: number;
  requiredHeaders: Record<string, string>;
  chatty: boolean;
  tools: FakeMcpTool[];
  requests: { method: string; sessionId: string | null; version: string | null; headers: Record<string, string> }[];
  pings: string[];
  replies: Record<string, unknown>[];
  calls: { name: string; arguments: Record<string, unknown>; session: string | null }[];
  live: Map<string, { id: string; version: string; initialized: boolean }>;
  initializations: number;
}
export interface FakeMcpOptions {
  mode?: "json" | "sse";
  sessions?: boolean;
  pageSize?: number;
  delayMs?: number;
  requiredHeaders?: Record<string, string>;
  chatty?: boolean;
  tools?: FakeMcpTool[];
}
export interface FakeMcp {
  handle(request: Request): Promise<Response>;
  state: FakeMcpState;
  expireSessions(): void;
}
export const LATEST_VERSION: string;
export const DOT_PNG: string;
export function defaultTools(): FakeMcpTool[];
export function fakeMcpHandler(options?: FakeMcpOptions): FakeMcp;
export function startFakeMcp(options?: FakeMcpOptions): Promise<FakeMcp & { port: number; url: string; close(): Promise<void> }>;
