// Routes only `npm run bench` enables (BENCH_ROUTES=1): a bare streaming route, the baseline the
// TaskRunner relay is measured against (N SSE frames written one by one straight from the Worker).
import { Hono } from "hono";
import type { AppEnv } from "../http/context";
import { NotFound } from "../lib/errors";
import { SSE_HEADERS } from "../lib/sse";

export const benchRoutes = new Hono<AppEnv>();

const encoder = new TextEncoder();

benchRoutes.get("/stream", (c) => {
  if (c.env.BENCH_ROUTES !== "1") throw new NotFound();
  const n = Math.min(Number(c.req.query("n") ?? 1000) || 0, 1_000_000);
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      // One frame per pull, as a naive relay would write them.
      if (i >= n) return controller.close();
      i++;
      controller.enqueue(encoder.encode(`id: ${i}\ndata: {"event":"message","answer":" ${i}"}\n\n`));
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
});

