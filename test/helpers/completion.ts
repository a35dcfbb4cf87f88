// Completion test set-up: the demo writer app pointed at the fake OpenAI-compatible server.
import { json, appSession } from "./api";
import { registerFakeProvider } from "./chat";
import { fakeOpenAI } from "./fake-openai";
import { demoApp } from "./fixtures";

export function completionYaml(edit: (yaml: string) => string = (y) => y): string {
  return edit(demoApp("completion").replace("provider: echo", "provider: openai").replace("name: echo-1", "name: gpt-4o-mini"));
}

export async function completionSetup(edit?: (yaml: string) => string, userId?: string) {
  const fake = fakeOpenAI();
  await registerFakeProvider();
  const session = await appSession(completionYaml(edit), userId);
  const generate = (body: Record<string, unknown>) =>
    session.get("/api/completion-messages", json({ inputs: { topic: "tides", tone: "formal" }, response_mode: "streaming", ...body }));
  return { fake, session, generate };
}
