// A chat answer: steps (chatflow nodes when the site shows them, agent thoughts), the Markdown
// text, a chatflow's human-input forms, files the model made, its state and actions.
import type { Site } from "../lib/app-data";
import { t } from "../lib/i18n";
import type { Turn } from "../lib/turn";
import { AnswerBody, AnswerStatus, CopyButton, FeedbackButtons, ReadAloudButton, Suggestions, useTurn } from "./answer";
import { AppIcon } from "./common";
import { RunForms } from "./human-input-form";
import { Steps } from "./steps";

export interface AnswerActions {
  tts?: { enabled: boolean; voice?: string };
  onNotice: (text: string) => void;
  /** The app's file size limits, for file inputs of a form. */
  system?: Record<string, number>;
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
        <RunForms pending={turn.forms} filled={turn.filled} idPrefix={`form-${turn.key}`} system={actions.system} />
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
