// The workflow page, /workflow/<code> (spec dify-web-client.md §4.3, §5.5, §6 (c)): the inputs
// form, Run (streamed: node progress, text_chunk text, then the outputs), Stop, and — when the run
// waits for a person — its form inline, submitted to POST /api/form/human_input/{token} while the
// page follows the run on GET /api/workflow/{run_id}/events. As Dify's page, a reload starts afresh:
// a run left waiting goes on only through a form link sent by e-mail, or ends at its timeout.
import { useEffect, useMemo, useRef, useState } from "hono/jsx/dom";
import { CopyButton, useObservable } from "../components/answer";
import { AppIcon, Notice, SiteFooter, useNotice } from "../components/common";
import { FilePicker } from "../components/file-picker";
import { RunForms } from "../components/human-input-form";
import { initialValues, InputsForm, type InputValues, toRequestInputs, validateInputs } from "../components/inputs-form";
import { outputsText, RunOutputs } from "../components/run-outputs";
import { seconds, StepList } from "../components/steps";
import { api } from "../lib/api";
import type { AppData } from "../lib/app-data";
import { type Attachment, filePolicy, toFileMapping } from "../lib/files";
import { type Strings, t } from "../lib/i18n";
import { streamRun, WorkflowRun } from "../lib/workflow-run";

const STATUS_TEXT: Record<WorkflowRun["status"], keyof Strings> = {
  running: "runRunning",
  paused: "waitingForInput",
  succeeded: "runSucceeded",
  "partial-succeeded": "runPartial",
  failed: "runFailed",
  stopped: "stopped",
};

function RunText({ run }: { run: WorkflowRun }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (el.current) run.attach(el.current);
  }, [run]);
  return <div class="markdown" ref={el} />;
}

function RunResult({ run, system }: { run: WorkflowRun; system: Record<string, number> }) {
  useObservable(run);
  const showText = !run.outputs || Object.keys(run.outputs).length === 0;
  return (
    <article class={`result run ${run.status}`} aria-busy={String(!run.ended)} data-run-id={run.runId || undefined}>
      <p class={`run-status ${run.status}`} role="status">
        {!run.ended && run.status === "running" && <span class="spinner small" aria-hidden="true" />}
        <span>{t(STATUS_TEXT[run.status])}</span>
        {run.stats && (
          <span class="run-stats">
            {seconds(run.stats.elapsed)} · {t("runTokens", { n: run.stats.tokens })} · {t("runSteps", { n: run.stats.steps })}
          </span>
        )}
      </p>
      {run.steps.length > 0 && (
        <details class="steps progress" open>
          <summary>
            {t("steps")} ({run.steps.length})
          </summary>
          <StepList steps={run.steps} label={t("nodeProgress")} />
        </details>
      )}
      <RunForms pending={run.forms} filled={run.filled} idPrefix="form" system={system} />
      <div class="run-output" aria-live="off">
        {showText ? <RunText run={run} /> : <RunOutputs outputs={run.outputs!} />}
      </div>
      {run.reconnecting && (
        <p class="reconnecting" role="status">
          {t("connectionLost")}
        </p>
      )}
      {run.status === "failed" && (
        <p class="answer-error" role="alert">
          {run.error}
        </p>
      )}
      {run.ended && run.status !== "failed" && (run.outputs || run.text) && (
        <div class="answer-actions" role="toolbar" aria-label={t("actions")}>
          <CopyButton text={run.outputs && Object.keys(run.outputs).length ? outputsText(run.outputs) : run.text} />
        </div>
      )}
    </article>
  );
}

export function WorkflowPage({ app }: { app: AppData }) {
  const { params, site, fields } = app;
  const [values, setValues] = useState<InputValues>(() => initialValues(fields, app.link.inputs));
  const [files, setFiles] = useState<Attachment[]>([]);
  const [run, setRun] = useState<WorkflowRun | null>(null);
  const [running, setRunning] = useState(false);
  const [notice, setNotice, clearNotice] = useNotice();
  const active = useRef<{ run: WorkflowRun; abort: AbortController } | null>(null);
  const policy = useMemo(() => filePolicy(params.file_upload, params.system_parameters), [params]);

  const start = (e: Event) => {
    e.preventDefault();
    if (running) return;
    const invalid = validateInputs(fields, values) ?? (files.some((f) => f.status === "uploading") ? t("uploading") : null);
    if (invalid) return setNotice(invalid);
    clearNotice();
    const next = new WorkflowRun();
    const abort = new AbortController();
    active.current = { run: next, abort };
    setRun(next);
    setRunning(true);
    const body: Record<string, unknown> = { inputs: toRequestInputs(fields, values), response_mode: "streaming" };
    const done = files.filter((f) => f.status === "done");
    if (policy.enabled && done.length) body.files = done.map(toFileMapping);
    streamRun(next, body, abort).then(() => {
      if (active.current?.run === next) {
        active.current = null;
        setRunning(false);
      }
    });
  };

  const stop = async () => {
    const current = active.current;
    if (!current || current.run.stopping) return;
    current.run.update({ stopping: true });
    // The run ends with workflow_finished (stopped), which the page is following.
    if (current.run.taskId) await api(`/workflows/tasks/${current.run.taskId}/stop`, { method: "POST" }).catch(() => current.abort.abort());
    else current.abort.abort();
  };

  return (
    <div class="completion-layout workflow-layout">
      <header class="app-header">
        <AppIcon site={site} />
        <div>
          <h1>{site.title}</h1>
          {site.description && <p class="description">{site.description}</p>}
        </div>
      </header>
      <div class="completion-grid">
        <form class="card" noValidate onSubmit={start} aria-label={t("inputsTitle")}>
          <InputsForm fields={fields} values={values} onChange={(name, value) => setValues((prev) => ({ ...prev, [name]: value }))} system={params.system_parameters} disabled={running} idPrefix="input" />
          {policy.enabled && <FilePicker policy={policy} files={files} onChange={setFiles} idPrefix="files" disabled={running} />}
          <div class="form-actions">
            <button type="button" class="btn ghost" disabled={running} onClick={() => (setValues(initialValues(fields)), setFiles([]))}>
              {t("clear")}
            </button>
            {running ? (
              <button type="button" class="btn stop" onClick={stop}>
                {t("stop")}
              </button>
            ) : (
              <button type="submit" class="btn primary">
                {t("run")}
              </button>
            )}
          </div>
        </form>
        <section class="results" aria-label={t("result")}>
          {run ? <RunResult key={run.key} run={run} system={params.system_parameters} /> : <p class="placeholder">{t("runPlaceholder")}</p>}
        </section>
      </div>
      <SiteFooter site={site} />
      {notice && <Notice text={notice} onDone={clearNotice} />}
    </div>
  );
}
