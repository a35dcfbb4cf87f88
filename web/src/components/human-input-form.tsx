// A human-input form (spec dify-web-client.md §5.6): the form content as sanitised Markdown with
// its inputs where the `{{#$output.NAME#}}` placeholders stand (paragraph and text, select, file,
// file list; defaults from resolved_default_values), one button per action. The same component
// serves the workflow page, a chatflow answer and the standalone /form/<token> page.
import { useState } from "hono/jsx/dom";
import type { Attachment } from "../lib/files";
import { type FilledForm, type FormInput, formParts, formProblem, type FormValues, initialFormValues, inputPolicy, isFileInput, type PendingForm, submissionInputs, submitForm } from "../lib/human-input";
import { language, t } from "../lib/i18n";
import { renderMarkdown } from "../lib/markdown";
import { FilePicker } from "./file-picker";

const BUTTON: Record<string, string> = { primary: "btn primary", accent: "btn accent", ghost: "btn ghost", default: "btn" };

export function expiresText(seconds: number): string {
  if (!seconds) return "";
  const when = new Intl.DateTimeFormat(language(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(seconds * 1000));
  return t("formExpires", { when });
}

interface InputProps {
  input: FormInput;
  id: string;
  value: string | Attachment[];
  placed: boolean;
  disabled: boolean;
  linksOnly: boolean;
  system?: Record<string, number>;
  onChange: (value: string | Attachment[]) => void;
}

function FormField({ input, id, value, placed, disabled, linksOnly, system, onChange }: InputProps) {
  const name = input.output_variable_name;
  const label = <label for={id} class={placed ? "sr-only" : "label"}>{name}</label>;
  const text = (e: Event) => onChange((e.target as HTMLInputElement).value);
  if (isFileInput(input)) {
    const policy = inputPolicy(input, system);
    const cannot = linksOnly && !policy.methods.includes("remote_url");
    return (
      <div class="field" role="group" aria-labelledby={`${id}-label`}>
        <span id={`${id}-label`} class={placed ? "sr-only" : "label"}>
          {name}
        </span>
        {cannot ? (
          <p class="hint">{t("formFilesInApp")}</p>
        ) : (
          <FilePicker policy={policy} files={value as Attachment[]} disabled={disabled} idPrefix={id} linksOnly={linksOnly} onChange={(files) => onChange(files)} />
        )}
      </div>
    );
  }
  if (input.type === "select") {
    return (
      <div class="field">
        {label}
        <select id={id} name={name} required disabled={disabled} value={String(value)} onChange={text}>
          <option value="">{t("select")}</option>
          {(input.options ?? []).map((o) => (
            <option value={o} selected={o === value}>
              {o}
            </option>
          ))}
        </select>
      </div>
    );
  }
  if (input.type === "text_input" || input.type === "text-input") {
    return (
      <div class="field">
        {label}
        <input id={id} name={name} type="text" disabled={disabled} maxLength={input.max_length || undefined} value={String(value)} onInput={text} />
      </div>
    );
  }
  return (
    <div class="field">
      {label}
      <textarea id={id} name={name} rows={3} disabled={disabled} maxLength={input.max_length || undefined} value={String(value)} onInput={text} />
    </div>
  );
}

interface FormProps {
  form: PendingForm;
  idPrefix: string;
  /** Sends the form; throws (an ApiFailure) with what to show when it is refused. */
  onSubmit: (action: string, values: FormValues) => Promise<void>;
  system?: Record<string, number>;
  linksOnly?: boolean;
  /** Keep the form locked after a successful submit (it is replaced once the run confirms it). */
  lockAfterSubmit?: boolean;
}

export function HumanInputForm({ form, idPrefix, onSubmit, system, linksOnly = false, lockAfterSubmit = true }: FormProps) {
  const [values, setValues] = useState<FormValues>(() => initialFormValues(form));
  const [busy, setBusy] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState("");
  const parts = formParts(form);
  // An input the content places reads with the text before it; one appended at the end shows its name.
  const placed = new Set(form.inputs.filter((i) => form.content.includes(`{{#$output.${i.output_variable_name}#}}`)).map((i) => i.output_variable_name));
  const locked = busy !== null || sent;

  const send = async (action: string) => {
    setError("");
    const problem = formProblem(form, values);
    if (problem) return setError(problem.reason === "choose" ? t("formChoose", { name: problem.name }) : t("uploading"));
    setBusy(action);
    try {
      await onSubmit(action, values);
      if (lockAfterSubmit) setSent(true);
    } catch (err) {
      setError((err as Error).message || t("errorGeneric"));
    } finally {
      setBusy(null);
    }
  };

  return (
    <form class="hi-form" aria-labelledby={`${idPrefix}-title`} noValidate onSubmit={(e: Event) => e.preventDefault()}>
      <h3 id={`${idPrefix}-title`} class="hi-title">
        {form.nodeTitle || t("formTitle")}
      </h3>
      <div class="hi-content">
        {parts.map((part, i) =>
          "text" in part ? (
            <div class="markdown" key={`t${i}`} dangerouslySetInnerHTML={{ __html: renderMarkdown(part.text) }} />
          ) : (
            <FormField
              key={part.input.output_variable_name}
              input={part.input}
              id={`${idPrefix}-${part.input.output_variable_name}`}
              value={values[part.input.output_variable_name] ?? ""}
              placed={placed.has(part.input.output_variable_name)}
              disabled={locked}
              linksOnly={linksOnly}
              system={system}
              onChange={(value) => setValues((prev) => ({ ...prev, [part.input.output_variable_name]: value }))}
            />
          ),
        )}
      </div>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      <div class="hi-actions">
        {form.actions.map((a) => (
          <button type="button" class={BUTTON[a.button_style] ?? "btn"} disabled={locked} aria-busy={busy === a.id ? "true" : undefined} onClick={() => send(a.id)}>
            {a.title}
          </button>
        ))}
      </div>
      {sent ? (
        <p class="hint" role="status">
          {t("formSent")}
        </p>
      ) : (
        form.expiration > 0 && <p class="hint">{expiresText(form.expiration)}</p>
      )}
    </form>
  );
}

/** A form that has been answered: what was submitted and the action taken (or that it timed out). */
export function FilledFormView({ form }: { form: FilledForm }) {
  return (
    <section class="hi-form filled" aria-label={form.nodeTitle || t("formTitle")}>
      <h3 class="hi-title">{form.nodeTitle || t("formTitle")}</h3>
      <div class="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(form.content) }} />
      <p class="hi-outcome">{form.timedOut ? t("formTimedOut") : t("formAction", { action: form.actionText })}</p>
    </section>
  );
}

/** A run's forms: those answered, then those waiting, each submitted to its token from here. */
export function RunForms({ pending, filled, idPrefix, system }: { pending: PendingForm[]; filled: FilledForm[]; idPrefix: string; system?: Record<string, number> }) {
  if (!pending.length && !filled.length) return null;
  return (
    <div class="run-forms">
      {filled.map((f) => (
        <FilledFormView form={f} key={`filled-${f.nodeId}`} />
      ))}
      {pending.map((f) =>
        f.token ? (
          <HumanInputForm key={`form-${f.nodeId}-${f.token}`} form={f} idPrefix={`${idPrefix}-${f.nodeId}`} system={system} onSubmit={(action, values) => submitForm(f.token!, action, submissionInputs(f, values)).then(() => undefined)} />
        ) : (
          // Delivered only by e-mail: someone answers it through the link they got.
          <p class="hint" key={`form-${f.nodeId}`}>
            {t("waitingElsewhere")}
          </p>
        ),
      )}
    </div>
  );
}
