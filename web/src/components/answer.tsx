// An answer as it streams and after: Markdown (sanitised), steps (chatflow nodes, agent thoughts),
// files the model made, the error, and the actions: copy, like/dislike, read aloud, suggestions.
import { useEffect, useRef, useState } from "hono/jsx/dom";
import { api } from "../lib/api";
import type { Site } from "../lib/app-data";
import { readAloud, stopReading } from "../lib/audio";
import { t } from "../lib/i18n";
import type { Observable } from "../lib/observable";
import type { Turn } from "../lib/turn";
import { submissionInputs, submitForm } from "../lib/human-input";
import { AppIcon, copyText, IconButton } from "./common";
import { FilledFormView, HumanInputForm } from "./human-input-form";
import { Steps } from "./steps";

/** Re-renders the calling component whenever `state` (a turn, a run) changes. */
export function useObservable(state: Observable<unknown>): void {
  const [, setTick] = useState(0);
  useEffect(() => state.subscribe(() => setTick((n) => n + 1)), [state]);
}

export const useTurn = useObservable;

export function AnswerBody({ turn }: { turn: Turn }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (el.current) turn.attach(el.current);
  }, [turn]);
  return <div class="markdown" ref={el} />;
}

/** A chatflow answer's human-input forms: those answered, and those waiting (submitted from here). */
function AnswerForms({ turn, system }: { turn: Turn; system?: Record<string, number> }) {
  if (!turn.forms.length && !turn.filled.length) return null;
  return (
    <div class="answer-forms">
      {turn.filled.map((f) => (
        <FilledFormView form={f} key={`filled-${f.nodeId}`} />
      ))}
      {turn.forms.map((f) =>
        f.token ? (
          <HumanInputForm key={`form-${f.nodeId}-${f.token}`} form={f} idPrefix={`form-${turn.key}-${f.nodeId}`} system={system} onSubmit={(action, values) => submitForm(f.token!, action, submissionInputs(f, values)).then(() => undefined)} />
        ) : null,
      )}
    </div>
  );
}

export interface AnswerActions {
  tts?: { enabled: boolean; voice?: string };
  onNotice: (text: string) => void;
  /** The app's file size limits, for file inputs of a form. */
  system?: Record<string, number>;
}

export function FeedbackButtons({ turn, onNotice }: { turn: Turn; onNotice: (text: string) => void }) {
  const rate = async (rating: "like" | "dislike") => {
    const next = turn.feedback === rating ? null : rating;
    try {
      await api(`/messages/${turn.id}/feedbacks`, { method: "POST", body: { rating: next, content: null } });
      turn.update({ feedback: next });
    } catch (err) {
      onNotice((err as Error).message);
    }
  };
  return (
    <>
      <IconButton label={t("like")} icon="like" pressed={turn.feedback === "like"} onClick={() => rate("like")} />
      <IconButton label={t("dislike")} icon="dislike" pressed={turn.feedback === "dislike"} onClick={() => rate("dislike")} />
    </>
  );
}

export function ReadAloudButton({ turn, voice, onNotice }: { turn: Turn; voice?: string; onNotice: (text: string) => void }) {
  const [reading, setReading] = useState(false);
  const toggle = async () => {
    if (reading) {
      stopReading();
      setReading(false);
      return;
    }
    setReading(true);
    try {
      await readAloud({ message_id: turn.id, voice });
    } catch (err) {
      onNotice((err as Error).message);
    } finally {
      setReading(false);
    }
  };
  return <IconButton label={reading ? t("stopReading") : t("readAloud")} icon={reading ? "stop" : "speaker"} pressed={reading} onClick={toggle} />;
}

/** The answer's state under its text: waiting, reconnecting, failed, stopped. */
export function AnswerStatus({ turn }: { turn: Turn }) {
  return (
    <>
      {turn.status === "streaming" && !turn.answer && !turn.reconnecting && <span class="typing" aria-label={t("loading")} />}
      {turn.reconnecting && (
        <p class="reconnecting" role="status">
          {t("connectionLost")}
        </p>
      )}
      {turn.status === "error" && (
        <p class="answer-error" role="alert">
          {turn.error || t("errorGeneric")}
        </p>
      )}
      {turn.status === "stopped" && <p class="answer-note">{t("stopped")}</p>}
      {turn.status === "paused" && !turn.reconnecting && (
        <p class="answer-note" role="status">
          {t("waitingForInput")}
        </p>
      )}
    </>
  );
}

export function CopyButton({ text }: { text: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <IconButton
      label={copied ? t("copied") : t("copy")}
      icon={copied ? "check" : "copy"}
      onClick={async () => {
        await copyText(text);
        setCopied(true);
        setTimeout(() => setCopied(false), 1500);
      }}
    />
  );
}

export function Suggestions({ questions, onPick }: { questions: string[]; onPick: (q: string) => void }) {
  if (!questions.length) return null;
  return (
    <div class="suggestions" role="group" aria-label={t("suggested")}>
      {questions.map((q) => (
        <button type="button" class="chip" onClick={() => onPick(q)}>
          {q}
        </button>
      ))}
    </div>
  );
}

export function Answer({ turn, site, actions, onSuggestion }: { turn: Turn; site: Site; actions: AnswerActions; onSuggestion?: (q: string) => void }) {
  useTurn(turn);
  const finished = turn.status !== "streaming" && turn.status !== "paused";
  // Chatflow nodes show only when the site says so (show_workflow_steps); agent thoughts always.
  const steps = site.show_workflow_steps ? turn.steps : turn.steps.filter((s) => s.kind === "thought");
  return (
    <article class={`bubble answer ${turn.status}`} aria-busy={String(!finished)} data-message-id={turn.id || undefined}>
      {site.use_icon_as_answer_icon && <AppIcon site={site} size="sm" />}
      <div class="bubble-body">
        <Steps steps={steps} open={!finished} />
        <AnswerBody turn={turn} />
        <AnswerForms turn={turn} system={actions.system} />
        {turn.files.length > 0 && (
          <div class="answer-files">
            {turn.files.map((f) => (f.type === "image" ? <img src={f.url} alt="" key={f.id} /> : <a href={f.url} target="_blank" rel="noopener noreferrer" key={f.id}>{f.url}</a>))}
          </div>
        )}
        <AnswerStatus turn={turn} />
        {finished && turn.id && (
          <div class="answer-actions" role="toolbar" aria-label={t("actions")}>
            <CopyButton text={turn.answer} />
            <FeedbackButtons turn={turn} onNotice={actions.onNotice} />
            {actions.tts?.enabled && <ReadAloudButton turn={turn} voice={actions.tts.voice} onNotice={actions.onNotice} />}
          </div>
        )}
        {onSuggestion && <Suggestions questions={turn.suggestions} onPick={onSuggestion} />}
      </div>
    </article>
  );
}
