export function startFakeOpenAI(): Promise<{
  state: { scenario: { tokens: string[]; firstTokenDelayMs: number; delayMs: number; failStatus?: number; failMessage?: string }; requests: any[]; transcriptions: any[]; speeches: string[]; aborted: number; respond?: (body: any) => string[] | { tokens?: string[]; toolCalls?: { id?: string; name: string; arguments: string }[] } | undefined };
  baseUrl: string;
  close(): Promise<void>;
}>;
