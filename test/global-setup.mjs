// Node-side servers the pool's tests reach on loopback (vitest.config.ts forwards their origins
// from the outbound service): the fake dify-sandbox, its URL provided as "fakeSandboxUrl".
import { startFakeSandbox } from "../scripts/lib/fake-sandbox-server.mjs";

export default async function setup(project) {
  const sandbox = await startFakeSandbox();
  project.provide("fakeSandboxUrl", sandbox.url);
  return () => sandbox.close();
}
