// The parts of an answer the chat and completion pages share: its Markdown (sanitised) as it
// streams, its state (waiting, reconnecting, failed, stopped, paused), and the actions: copy,
// like/dislike, read aloud, suggestions.
import { useEffect, useRef, useState } from "hono/jsx/dom";
import { api } from "../lib/api";
import { readAloud, stopReading } from "../lib/audio";
import { t } from "../lib/i18n";
import type { Observable } from "../lib/observable";
import type { Turn } from "../lib/turn";
import { copyText, IconButton } from "./common";

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
