export function startFakeOpenAI(): Promise<{
  state: { scenario: { tokens: string[]; firstTokenDelayMs: number; delayMs: number }; requests: any[]; transcriptions: any[]; speeches: string[]; aborted: number };
  baseUrl: string;
  close(): Promise<void>;
}>;
