// The text generator page, /completion/<code> (spec dify-web-client.md §4.3, §6 (b)): inputs,
// streamed generation with stop, copy, save and the saved list, more like this, feedback.
import { useEffect, useMemo, useRef, useState } from "hono/jsx/dom";
import { AnswerBody, AnswerStatus, CopyButton, FeedbackButtons, ReadAloudButton, useTurn } from "../components/answer";
import { AppIcon, IconButton, Notice, SiteFooter, useNotice } from "../components/common";
import { FilePicker } from "../components/file-picker";
import { initialValues, InputsForm, type InputValues, toRequestInputs, validateInputs } from "../components/inputs-form";
import { api } from "../lib/api";
import type { AppData } from "../lib/app-data";
import { type Attachment, filePolicy, toFileMapping } from "../lib/files";
import { renderMarkdown } from "../lib/markdown";
import { t } from "../lib/i18n";
import { streamTurn, Turn } from "../lib/turn";

interface SavedMessage {
  id: string;
  answer: string;
}

interface ResultProps {
  turn: Turn;
  app: AppData;
  onSaved: () => void;
  onNotice: (text: string) => void;
  onMore?: (turn: Turn) => void;
}

function Result({ turn, app, onSaved, onNotice, onMore }: ResultProps) {
  useTurn(turn);
  const finished = turn.status !== "streaming";
  const tts = app.params.text_to_speech;
  const save = async () => {
    try {
      await api("/saved-messages", { method: "POST", body: { message_id: turn.id } });
      turn.update({ saved: true });
      onSaved();
    } catch (err) {
      onNotice((err as Error).message);
    }
  };
  return (
    <article class={`result ${turn.status}`} aria-busy={String(!finished)} data-message-id={turn.id || undefined}>
      <AnswerBody turn={turn} />
      <AnswerStatus turn={turn} />
      {finished && turn.id && (
        <div class="answer-actions" role="toolbar" aria-label={t("actions")}>
          <CopyButton text={turn.answer} />
          <IconButton label={turn.saved ? t("saved") : t("save")} icon="star" filled={turn.saved} pressed={turn.saved} disabled={turn.saved} onClick={save} />
          {onMore && app.params.more_like_this?.enabled && <IconButton label={t("moreLikeThis")} icon="refresh" onClick={() => onMore(turn)} />}
          <FeedbackButtons turn={turn} onNotice={onNotice} />
          {tts?.enabled && <ReadAloudButton turn={turn} voice={tts.voice} onNotice={onNotice} />}
        </div>
      )}
    </article>
  );
}

export function CompletionPage({ app }: { app: AppData }) {
  const { params, site, fields } = app;
  const [values, setValues] = useState<InputValues>(() => initialValues(fields, app.link.inputs));
  const [files, setFiles] = useState<Attachment[]>([]);
  const [results, setResults] = useState<Turn[]>([]);
  const [saved, setSaved] = useState<SavedMessage[]>([]);
  const [tab, setTab] = useState<"create" | "saved">("create");
  const [responding, setResponding] = useState(false);
  const [notice, setNotice, clearNotice] = useNotice();
  const active = useRef<Turn | null>(null);
  const policy = useMemo(() => filePolicy(params.file_upload, params.system_parameters), [params]);

  const loadSaved = () => api<{ data: SavedMessage[] }>("/saved-messages", { query: { limit: 100 } }).then((res) => setSaved(res.data), () => undefined);
  useEffect(() => void loadSaved(), []);

  const generate = (e: Event) => {
    e.preventDefault();
    if (responding) return;
    const invalid = validateInputs(fields, values) ?? (files.some((f) => f.status === "uploading") ? t("uploading") : null);
    if (invalid) return setNotice(invalid);
    clearNotice();
    const turn = new Turn("");
    active.current = turn;
    setResults([turn]);
    setResponding(true);
    const abort = new AbortController();
    const body: Record<string, unknown> = { inputs: toRequestInputs(fields, values), response_mode: "streaming" };
    const done = files.filter((f) => f.status === "done");
    if (policy.enabled && done.length) body.files = done.map(toFileMapping);
    streamTurn(turn, "/completion-messages", body, abort).then(() => {
      active.current = null;
      setResponding(false);
    });
  };

  const stop = async () => {
    const turn = active.current;
    if (!turn) return;
    turn.update({ status: "stopped" });
    // Dify's client stops completion runs through the chat stop path too.
    if (turn.taskId) await api(`/chat-messages/${turn.taskId}/stop`, { method: "POST" }).catch(() => undefined);
  };

  const moreLikeThis = async (of: Turn) => {
    const turn = new Turn("");
    turn.update({ status: "streaming" });
    setResults((prev) => [...prev, turn]);
    try {
      const res = await api<{ id: string; answer: string }>(`/messages/${of.id}/more-like-this`, { query: { response_mode: "blocking" } });
      turn.setAnswer(res.answer);
      turn.update({ id: res.id, status: "done" });
    } catch (err) {
      turn.update({ status: "error", error: (err as Error).message });
    }
  };

  const removeSaved = async (id: string) => {
    await api(`/saved-messages/${id}`, { method: "DELETE" }).catch((err) => setNotice(err.message));
    loadSaved();
  };

  return (
    <div class="completion-layout">
      <header class="app-header">
        <AppIcon site={site} />
        <div>
          <h1>{site.title}</h1>
          {site.description && <p class="description">{site.description}</p>}
        </div>
      </header>
      <div class="tabs" role="tablist" aria-label={site.title}>
        <button type="button" role="tab" id="tab-create" aria-controls="panel-create" aria-selected={String(tab === "create")} onClick={() => setTab("create")}>
          {t("create")}
        </button>
        <button type="button" role="tab" id="tab-saved" aria-controls="panel-saved" aria-selected={String(tab === "saved")} onClick={() => setTab("saved")}>
          {t("savedItems")} {saved.length > 0 && <span class="count">{saved.length}</span>}
        </button>
      </div>
      {tab === "create" ? (
        <div class="completion-grid" id="panel-create" role="tabpanel" aria-labelledby="tab-create">
          <form class="card" noValidate onSubmit={generate}>
            <InputsForm fields={fields} values={values} onChange={(name, value) => setValues((prev) => ({ ...prev, [name]: value }))} system={params.system_parameters} disabled={responding} idPrefix="input" />
            {policy.enabled && <FilePicker policy={policy} files={files} onChange={setFiles} idPrefix="files" disabled={responding} />}
            <div class="form-actions">
              <button type="button" class="btn ghost" disabled={responding} onClick={() => setValues(initialValues(fields))}>
                {t("clear")}
              </button>
              {responding ? (
                <button type="button" class="btn stop" onClick={stop}>
                  {t("stop")}
                </button>
              ) : (
                <button type="submit" class="btn primary">
                  {t("generate")}
                </button>
              )}
            </div>
          </form>
          <section class="results" aria-label={t("result")} aria-live="off">
            {results.length === 0 && <p class="placeholder">{t("resultsPlaceholder")}</p>}
            {results.map((turn, i) => (
              <Result key={turn.key} turn={turn} app={app} onSaved={loadSaved} onNotice={setNotice} onMore={i === results.length - 1 ? moreLikeThis : undefined} />
            ))}
          </section>
        </div>
      ) : (
        <section class="saved-list" id="panel-saved" role="tabpanel" aria-labelledby="tab-saved">
          {saved.length === 0 && <p class="placeholder">{t("noSaved")}</p>}
          {saved.map((m) => (
            <article class="result saved" key={m.id}>
              <div class="markdown" dangerouslySetInnerHTML={{ __html: renderMarkdown(m.answer) }} />
              <div class="answer-actions" role="toolbar" aria-label={t("actions")}>
                <CopyButton text={m.answer} />
                <IconButton label={t("delete")} icon="trash" onClick={() => removeSaved(m.id)} />
              </div>
            </article>
          ))}
        </section>
      )}
      <SiteFooter site={site} />
      {notice && <Notice text={notice} onDone={clearNotice} />}
    </div>
  );
}
