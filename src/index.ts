// Worker entry: the Hono app as the fetch handler, plus the Durable Object classes.
import { buildApp } from "./app";
import type { Env } from "./env";

export { TaskRunner } from "./tasks/task-runner";

const app = buildApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
