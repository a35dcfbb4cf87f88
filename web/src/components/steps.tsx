// A run's steps: nodes with their status, type and time (the workflow page's progress, a chatflow
// answer's steps) and agent thoughts with the tool, its input and what it answered.
import { t, type Strings } from "../lib/i18n";
import type { Step } from "../lib/steps";

const MARK: Record<string, string> = { running: "…", retry: "↻", succeeded: "✓", paused: "‖", stopped: "■", exception: "!", failed: "✕" };
const LABEL: Record<string, keyof Strings> = { running: "stepRunning", retry: "stepRetry", succeeded: "stepSucceeded", paused: "stepPaused", stopped: "stepStopped", exception: "stepException", failed: "stepFailed" };

export const seconds = (s: number) => `${s < 10 ? s.toFixed(2) : s.toFixed(1)} s`;

function StepItem({ step }: { step: Step }) {
  const label = t(LABEL[step.status] ?? "stepFailed");
  return (
    <li class={`step ${step.status}`} data-status={step.status}>
      <span class="step-status" aria-hidden="true" title={label}>
        {MARK[step.status] ?? "✕"}
      </span>
      <span class="step-title">{step.kind === "thought" ? (step.title ? `${t("tool")}: ${step.title}` : t("thought")) : step.title}</span>
      <span class="sr-only">{label}</span>
      {step.kind === "node" && step.elapsed !== undefined && <span class="step-time">{seconds(step.elapsed)}</span>}
      {step.error && <p class="step-error">{step.error}</p>}
      {step.thought && <p class="step-detail">{step.thought}</p>}
      {step.input && (
        <div class="step-io">
          <span class="step-io-label">{t("toolInput")}</span>
          <pre>{step.input}</pre>
        </div>
      )}
      {step.observation && (
        <div class="step-io">
          <span class="step-io-label">{t("observation")}</span>
          <pre>{step.observation}</pre>
        </div>
      )}
    </li>
  );
}

export function StepList({ steps, label }: { steps: Step[]; label: string }) {
  return (
    <ol class="step-list" aria-label={label}>
      {steps.map((s) => (
        <StepItem step={s} key={s.id} />
      ))}
    </ol>
  );
}

/** Steps folded under a summary (a chat answer); open while the answer streams. */
export function Steps({ steps, open }: { steps: Step[]; open: boolean }) {
  if (!steps.length) return null;
  return (
    <details class="steps" open={open}>
      <summary>
        {t("steps")} ({steps.length})
      </summary>
      <StepList steps={steps} label={t("steps")} />
    </details>
  );
}
