// An answer as it streams and after: Markdown (sanitised), steps (chatflow nodes, agent thoughts),
// files the model made, the error, and the actions: copy, like/dislike, read aloud, suggestions.
import { useEffect, useRef, useState } from "hono/jsx/dom";
import { api } from "../lib/api";
import type { Site } from "../lib/app-data";
import { readAloud, stopReading } from "../lib/audio";
import { t } from "../lib/i18n";
import type { Turn } from "../lib/turn";
import { AppIcon, copyText, IconButton } from "./common";

/** Re-renders the calling component whenever `turn` changes state. */
export function useTurn(turn: Turn): void {
  const [, setTick] = useState(0);
  useEffect(() => turn.subscribe(() => setTick((n) => n + 1)), [turn]);
}

export function AnswerBody({ turn }: { turn: Turn }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (el.current) turn.attach(el.current);
  }, [turn]);
  return <div class="markdown" ref={el} />;
}

function Steps({ turn }: { turn: Turn }) {
  if (!turn.steps.length) return null;
  return (
    <details class="steps" open={turn.status === "streaming"}>
      <summary>
        {t("steps")} ({turn.steps.length})
      </summary>
      <ol>
        {turn.steps.map((s) => (
          <li class={`step ${s.status}`} key={s.id}>
            <span class="step-status" aria-hidden="true">
              {s.status === "running" ? "…" : s.status === "succeeded" ? "✓" : "✕"}
            </span>
            <span class="step-title">{s.kind === "thought" ? (s.title ? `${t("tool")}: ${s.title}` : t("thought")) : s.title}</span>
            {s.detail && <pre class="step-detail">{s.detail}</pre>}
          </li>
        ))}
      </ol>
    </details>
  );
}

export interface AnswerActions {
  tts?: { enabled: boolean; voice?: string };
  onNotice: (text: string) => void;
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
  const finished = turn.status !== "streaming";
  return (
    <article class={`bubble answer ${turn.status}`} aria-busy={String(!finished)} data-message-id={turn.id || undefined}>
      {site.use_icon_as_answer_icon && <AppIcon site={site} size="sm" />}
      <div class="bubble-body">
        <Steps turn={turn} />
        <AnswerBody turn={turn} />
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
