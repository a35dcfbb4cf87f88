// The fake dify-sandbox (scripts/lib/fake-sandbox-server.mjs) as a test sees it: a Node server on
// 127.0.0.1 started by test/global-setup.mjs, reached over real HTTP through the pool's outbound
// service. Each call opens a session: its own API key, its own programs, its own record of calls.
import { inject } from "vitest";
import type { SandboxCall, SandboxProgram } from "../../scripts/lib/fake-sandbox-server.mjs";
import type { NodeServices } from "../../src/workflow/types";
import { fakeServices, SETTINGS } from "./workflow";

declare module "vitest" {
  export interface ProvidedContext {
    fakeSandboxUrl: string;
  }
}

export type { SandboxCall, SandboxProgram };

export interface FakeSandbox {
  endpoint: string;
  apiKey: string;
  /** The /v1/sandbox/run requests this session received, runner read back into code and inputs. */
  calls(): Promise<SandboxCall[]>;
  /** Node services whose settings point python code nodes at this sandbox. */
  services(overrides?: Partial<NodeServices["settings"]>): NodeServices;
}

export async function fakeSandbox(programs: SandboxProgram[] = []): Promise<FakeSandbox> {
  const endpoint = inject("fakeSandboxUrl");
  const res = await fetch(`${endpoint}/_fake/sessions`, { method: "POST", body: JSON.stringify({ programs }) });
  const { api_key: apiKey } = (await res.json()) as { api_key: string };
  return {
    endpoint,
    apiKey,
    calls: async () => (await fetch(`${endpoint}/_fake/sessions/${apiKey}/calls`)).json(),
    services: (overrides = {}) => fakeServices({ settings: { ...SETTINGS, codeExecutionEndpoint: endpoint, codeExecutionApiKey: apiKey, ...overrides } }),
  };
}
