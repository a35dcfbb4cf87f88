// A workflow run as the workflow page shows it (spec dify-web-client.md §5.5, §5.6): its nodes,
// the text_chunk text as it streams, the forms it waits on, and how it ended — which is
// workflow_finished, not the end of a stream: `stopped` and a non-empty `error` are failures,
// otherwise the outputs are the result.
import { ApiFailure, request } from "./api";
import { type FilledForm, formEventPatch, type PendingForm } from "./human-input";
import { t } from "./i18n";
import { StreamingMarkdown } from "./markdown";
import { Observable } from "./observable";
import { nodeStep, type Step, upsertStep } from "./steps";
import { followStream, type StreamEvent, workflowEventsPath } from "./stream";

export type RunStatus = "running" | "paused" | "succeeded" | "partial-succeeded" | "failed" | "stopped";

export interface RunStats {
  elapsed: number;
  tokens: number;
  steps: number;
}

let keys = 0;

export class WorkflowRun extends Observable<WorkflowRun> {
  readonly key = `r${++keys}`;
  taskId = "";
  runId = "";
  status: RunStatus = "running";
  steps: Step[] = [];
  text = "";
  outputs: Record<string, unknown> | null = null;
  error = "";
  stats: RunStats | null = null;
  forms: PendingForm[] = [];
  filled: FilledForm[] = [];
  reconnecting = false;
  stopping = false;
  private view?: StreamingMarkdown;

  get ended(): boolean {
    return this.status !== "running" && this.status !== "paused";
  }

  attach(el: HTMLElement): void {
    this.view = new StreamingMarkdown(el);
    this.view.set(this.text);
    this.view.flush();
  }

  private setText(text: string): void {
    this.text = text;
    this.view?.set(text);
  }

  private fail(message: string): void {
    this.view?.flush();
    this.update({ status: "failed", error: message || t("errorGeneric") });
  }

  /** Applies one stream event (spec dify-web-api.md §5.5). */
  apply(event: StreamEvent): void {
    if (event.task_id && !this.taskId) this.update({ taskId: event.task_id });
    if (event.workflow_run_id && !this.runId) this.runId = event.workflow_run_id;
    const data = event.data ?? {};
    const step = nodeStep(event);
    if (step) {
      this.update({ steps: upsertStep(this.steps, step), ...(this.status === "paused" && step.status === "running" ? { status: "running" } : {}) });
      return;
    }
    switch (event.event) {
      case "workflow_started":
        if (this.status === "paused") this.update({ status: "running" });
        return;
      case "text_chunk":
        this.setText(this.text + (data.text ?? ""));
        return;
      case "text_replace":
        this.setText(data.text ?? "");
        return;
      case "human_input_required":
      case "human_input_form_filled":
      case "human_input_form_timeout":
        this.update(formEventPatch(this, event)!);
        return;
      case "workflow_paused":
        this.view?.flush();
        this.update({ status: "paused" });
        return;
      case "workflow_finished": {
        this.view?.flush();
        const stats = { elapsed: Number(data.elapsed_time ?? 0), tokens: Number(data.total_tokens ?? 0), steps: Number(data.total_steps ?? 0) };
        const status = (data.status ?? "succeeded") as RunStatus;
        // Nodes still marked running did not finish: the run ended around them.
        const steps = this.steps.map((s) => (s.status === "running" || s.status === "paused" ? { ...s, status: status === "stopped" ? "stopped" : "failed" } : s));
        if (status === "stopped") this.update({ status, steps, stats, forms: [], error: data.error ?? "" });
        else if (status === "failed" || data.error) this.update({ status: "failed", steps, stats, forms: [], error: data.error || t("errorGeneric") });
        else this.update({ status, steps, stats, forms: [], outputs: data.outputs ?? {} });
        return;
      }
      case "error":
        this.fail(event.message ?? "");
        return;
    }
  }
}

/**
 * Runs the workflow (POST /api/workflows/run, always streaming) into `run` until workflow_finished,
 * through pauses and dropped connections; failures before or during the stream become its error.
 */
export async function streamRun(run: WorkflowRun, body: unknown, abort: AbortController): Promise<void> {
  try {
    await followStream(() => request("/workflows/run", { method: "POST", body, signal: abort.signal }), {
      signal: abort.signal,
      resumePath: workflowEventsPath,
      onEvent: (event) => run.apply(event),
      onReconnecting: (reconnecting) => run.update({ reconnecting }),
    });
  } catch (err) {
    run.update({ status: "failed", error: err instanceof ApiFailure && err.code === "connection_lost" ? t("connectionFailed") : (err as Error).message });
  }
  run.update({ reconnecting: false, stopping: false, ...(run.ended ? {} : abort.signal.aborted ? { status: "stopped" } : { status: "failed", error: t("errorGeneric") }) });
}
