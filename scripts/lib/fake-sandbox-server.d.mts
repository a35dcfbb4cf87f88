/** One program a fake-sandbox session knows: selected by its source (and inputs), answered one way. */
export interface SandboxProgram {
  code: string;
  inputs?: Record<string, unknown>;
  result?: Record<string, unknown> | unknown[] | string | number | null;
  stdout?: string;
  error?: string;
  status?: number;
  body?: unknown;
  delayMs?: number;
}

/** What a /v1/sandbox/run request carried, the runner read back into the user's code and inputs. */
export interface SandboxCall {
  language: string;
  preload: unknown;
  enable_network: unknown;
  contentType: string;
  userCode: string | null;
  inputs: Record<string, unknown> | null;
}

export function startFakeSandbox(): Promise<{
  url: string;
  session(programs?: SandboxProgram[]): Promise<string>;
  calls(apiKey: string): SandboxCall[];
  close(): Promise<void>;
}>;
