// The chat page, /chat/<code> (with the conversation sidebar) and /chatbot/<code> (the embedded
// layout inside /embed.js's iframe): what Dify's chat-with-history and embedded-chatbot pages do,
// over the same calls (spec dify-web-client.md §4.2, §6 (a)).
import { useEffect, useMemo, useRef, useState } from "hono/jsx/dom";
import { Suggestions } from "../components/answer";
import { Answer } from "../components/chat-answer";
import { AppIcon, Notice, SiteFooter, useNotice } from "../components/common";
import { Composer } from "../components/composer";
import { Icon } from "../components/icons";
import { initialValues, InputsForm, type InputValues, toRequestInputs, validateInputs } from "../components/inputs-form";
import { type Conversation, type ConversationList, Sidebar } from "../components/sidebar";
import { ApiFailure, api } from "../lib/api";
import type { AppData } from "../lib/app-data";
import { type Attachment, filePolicy, toFileMapping } from "../lib/files";
import { t } from "../lib/i18n";
import { signOut } from "../lib/session";
import { filledForm, pendingForm } from "../lib/human-input";
import { type ThoughtRecord, thoughtStep } from "../lib/steps";
import { resumeTurn, streamTurn, Turn, type TurnStatus } from "../lib/turn";

const PAGE = 20;
const EMPTY: ConversationList = { items: [], hasMore: false };

interface ExtraContent {
  type: string;
  workflow_run_id: string;
  submitted: boolean;
  form_definition?: Record<string, unknown>;
  form_submission_data?: Record<string, unknown>;
}

interface MessageRecord {
  id: string;
  conversation_id: string;
  query: string;
  answer: string;
  status: string;
  error: string | null;
  feedback: { rating: "like" | "dislike" } | null;
  message_files: { id: string; url: string | null; type: string; belongs_to: string | null; filename: string }[];
  agent_thoughts: ThoughtRecord[];
  extra_contents?: ExtraContent[];
  inputs: Record<string, unknown>;
}

const STATUS: Record<string, TurnStatus> = { error: "error", paused: "paused" };

function turnFromRecord(m: MessageRecord): Turn {
  const turn = new Turn(
    m.query,
    m.message_files.filter((f) => f.belongs_to === "user").map((f) => ({ name: f.filename, type: f.type as Attachment["type"], previewUrl: f.type === "image" ? (f.url ?? undefined) : undefined })),
  );
  const forms = (m.extra_contents ?? []).filter((c) => c.type.startsWith("human_input"));
  turn.update({
    id: m.id,
    conversationId: m.conversation_id,
    answer: m.answer,
    status: STATUS[m.status] ?? "done",
    error: m.error ?? "",
    feedback: m.feedback?.rating ?? null,
    files: m.message_files.filter((f) => f.belongs_to === "assistant" && f.url).map((f) => ({ id: f.id, url: f.url!, type: f.type })),
    steps: m.agent_thoughts.flatMap((a) => thoughtStep(a, true) ?? []),
    forms: forms.flatMap((c) => (!c.submitted && c.form_definition ? [pendingForm(c.form_definition)] : [])).filter((f) => f.displayInUi),
    filled: forms.flatMap((c) => (c.submitted && c.form_submission_data ? [filledForm(c.form_submission_data)] : [])),
  });
  return turn;
}

/** The run to pick up again after a reload: the last answer's that still waits for a form (as Dify's client). */
function waitingRun(records: MessageRecord[]): string | null {
  const last = records.at(-1);
  const pending = last?.extra_contents?.find((c) => !c.submitted && c.workflow_run_id);
  return pending?.workflow_run_id ?? null;
}

/** Which conversation to reopen, as Dify's client keeps it: conversationIdInfo[app][user]. */
const remembered = {
  get(appId: string, user: string): string | null {
    try {
      return JSON.parse(localStorage.getItem("conversationIdInfo") ?? "{}")[appId]?.[user] ?? null;
    } catch {
      return null;
    }
  },
  set(appId: string, user: string, id: string | null): void {
    try {
      const all = JSON.parse(localStorage.getItem("conversationIdInfo") ?? "{}");
      all[appId] = { ...all[appId], [user]: id ?? "" };
      localStorage.setItem("conversationIdInfo", JSON.stringify(all));
    } catch {
      // storage unavailable (private mode): nothing to remember
    }
  },
};

function fillTemplate(text: string, values: InputValues): string {
  return text.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, name: string) => (typeof values[name] === "string" && values[name] ? (values[name] as string) : `{{${name}}}`));
}

export function ChatPage({ app, embedded, accessMode }: { app: AppData; embedded: boolean; accessMode: string }) {
  const { params, site, fields } = app;
  const user = app.link.system.user_id || "DEFAULT";
  const [pinned, setPinned] = useState<ConversationList>(EMPTY);
  const [others, setOthers] = useState<ConversationList>(EMPTY);
  const [current, setCurrent] = useState<Conversation | null>(null);
  const [turns, setTurns] = useState<Turn[]>([]);
  const [olderFrom, setOlderFrom] = useState<string | null>(null);
  const [values, setValues] = useState<InputValues>(() => initialValues(fields, app.link.inputs));
  const [responding, setResponding] = useState(false);
  const [drawer, setDrawer] = useState(false);
  const [notice, setNotice, clearNotice] = useNotice();
  const controller = useRef<AbortController | null>(null);
  const active = useRef<Turn | null>(null);
  const log = useRef<HTMLDivElement>(null);
  const policy = useMemo(() => filePolicy(params.file_upload, params.system_parameters), [params]);
  const tts = params.text_to_speech?.enabled ? { enabled: true, voice: params.text_to_speech.voice } : undefined;
  const isNew = !current && turns.length === 0;

  const loadList = async (isPinned: boolean, after?: string) => {
    const res = await api<{ data: Conversation[]; has_more: boolean }>("/conversations", { query: { limit: PAGE, pinned: isPinned, last_id: after } });
    const set = isPinned ? setPinned : setOthers;
    set((prev) => ({ items: after ? [...prev.items, ...res.data] : res.data, hasMore: res.has_more }));
  };
  const reloadLists = () => Promise.all([loadList(true), loadList(false)]).catch((err) => setNotice(err.message));

  const scrollToEnd = () => requestAnimationFrame(() => log.current?.scrollTo({ top: log.current.scrollHeight }));

  const openConversation = async (c: Conversation) => {
    controller.current?.abort();
    setDrawer(false);
    setCurrent(c);
    remembered.set(app.appId, user, c.id);
    try {
      const res = await api<{ data: MessageRecord[]; has_more: boolean }>("/messages", { query: { conversation_id: c.id, limit: PAGE } });
      const loaded = res.data.map(turnFromRecord);
      setTurns(loaded);
      setOlderFrom(res.has_more ? (res.data[0]?.id ?? null) : null);
      scrollToEnd();
      const runId = waitingRun(res.data);
      if (runId) follow(loaded.at(-1)!, (abort) => resumeTurn(loaded.at(-1)!, runId, abort));
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 404) return newChat();
      setNotice((err as Error).message);
    }
  };

  const loadOlder = async () => {
    if (!current || !olderFrom) return;
    const res = await api<{ data: MessageRecord[]; has_more: boolean }>("/messages", { query: { conversation_id: current.id, limit: PAGE, first_id: olderFrom } });
    setTurns((prev) => [...res.data.map(turnFromRecord), ...prev]);
    setOlderFrom(res.has_more ? (res.data[0]?.id ?? null) : null);
  };

  const newChat = () => {
    controller.current?.abort();
    setDrawer(false);
    setCurrent(null);
    setTurns([]);
    setOlderFrom(null);
    setValues(initialValues(fields, app.link.inputs));
    remembered.set(app.appId, user, null);
  };

  useEffect(() => {
    if (embedded) {
      // The embed script waits for this to send its options (Dify's contract).
      parent.postMessage({ type: "dify-chatbot-iframe-ready" }, "*");
    }
    const reopen = app.link.system.conversation_id || remembered.get(app.appId, user);
    reloadLists();
    if (reopen) openConversation({ id: reopen, name: "", inputs: {} });
  }, []);

  const afterAnswer = async (turn: Turn, startedNew: boolean) => {
    if (turn.status !== "done" || !turn.id) return;
    if (startedNew && turn.conversationId) {
      const named = await api<Conversation>(`/conversations/${turn.conversationId}/name`, { method: "POST", body: { auto_generate: true } }).catch(() => null);
      if (named) setCurrent((c) => (c?.id === named.id ? named : c));
      await reloadLists();
    }
    if (params.suggested_questions_after_answer?.enabled) {
      const res = await api<{ data: string[] }>(`/messages/${turn.id}/suggested-questions`).catch(() => null);
      if (res?.data.length) turn.update({ suggestions: res.data });
    }
  };

  /** Runs `run` as the answer being written (Stop and the composer follow it); resolves with whether it was aborted. */
  const follow = async (turn: Turn, run: (abort: AbortController) => Promise<void>): Promise<boolean> => {
    const abort = new AbortController();
    controller.current = abort;
    active.current = turn;
    setResponding(true);
    await run(abort);
    if (active.current === turn) {
      active.current = null;
      setResponding(false);
    }
    return abort.signal.aborted;
  };

  const send = (query: string, files: Attachment[] = []): boolean => {
    if (responding || !query.trim()) return false;
    if (isNew) {
      const invalid = validateInputs(fields, values);
      if (invalid) {
        setNotice(invalid);
        return false;
      }
    }
    const startedNew = !current;
    const parentId = [...turns].reverse().find((x) => x.id)?.id ?? null;
    for (const prev of turns) if (prev.suggestions.length) prev.update({ suggestions: [] });
    const turn = new Turn(query, files);
    if (startedNew) {
      // The conversation exists from the answer's first event: the next message (or a reload while
      // a chatflow waits for a form) continues it, without waiting for the answer to end.
      const off = turn.subscribe(() => {
        if (!turn.conversationId) return;
        off();
        remembered.set(app.appId, user, turn.conversationId);
        setCurrent((c) => c ?? { id: turn.conversationId, name: "", inputs: {} });
      });
    }
    setTurns((prev) => [...prev, turn]);
    scrollToEnd();
    const body = {
      response_mode: "streaming",
      conversation_id: current?.id ?? "",
      files: files.map(toFileMapping),
      query,
      inputs: startedNew ? toRequestInputs(fields, values) : (current?.inputs ?? {}),
      parent_message_id: parentId,
    };
    follow(turn, (abort) => streamTurn(turn, "/chat-messages", body, abort)).then((aborted) => {
      if (!aborted) afterAnswer(turn, startedNew);
    });
    return true;
  };

  const stop = async () => {
    const turn = active.current;
    if (!turn) return;
    // While a chatflow waits for a form, Dify's client only lets go of the stream (the run stays paused).
    const paused = turn.status === "paused";
    turn.update({ status: "stopped" });
    // The server ends the stream with message_end once the task has stopped, keeping the partial answer.
    if (turn.taskId && !paused) await api(`/chat-messages/${turn.taskId}/stop`, { method: "POST" }).catch(() => undefined);
    else controller.current?.abort();
  };

  const rename = async (c: Conversation, name: string) => {
    await api(`/conversations/${c.id}/name`, { method: "POST", body: { name } }).catch((err) => setNotice(err.message));
    if (current?.id === c.id) setCurrent({ ...c, name });
    reloadLists();
  };
  const pin = async (c: Conversation, yes: boolean) => {
    await api(`/conversations/${c.id}/${yes ? "pin" : "unpin"}`, { method: "PATCH" }).catch((err) => setNotice(err.message));
    reloadLists();
  };
  const remove = async (c: Conversation) => {
    if (!confirm(t("deleteConfirm"))) return;
    await api(`/conversations/${c.id}`, { method: "DELETE" }).catch((err) => setNotice(err.message));
    if (current?.id === c.id) newChat();
    reloadLists();
  };

  const opening = params.opening_statement ? fillTemplate(params.opening_statement, values) : "";
  // The embedded window is small: it keeps the app's name; the full page names the conversation.
  const title = (!embedded && current?.name) || site.title;

  return (
    <div class={`chat-layout ${embedded ? "embedded" : ""} ${drawer ? "drawer-open" : ""}`}>
      {!embedded && (
        <aside class="sidebar" id="sidebar">
          <div class="brand">
            <AppIcon site={site} />
            <span class="brand-title">{site.title}</span>
            <button type="button" class="icon-btn close-drawer" aria-label={t("closeMenu")} onClick={() => setDrawer(false)}>
              <Icon name="close" />
            </button>
          </div>
          <Sidebar
            pinned={pinned}
            others={others}
            current={current?.id ?? null}
            onSelect={openConversation}
            onNew={newChat}
            onMore={(isPinned) => loadList(isPinned, (isPinned ? pinned : others).items.at(-1)?.id).catch((err) => setNotice(err.message))}
            onRename={rename}
            onPin={pin}
            onDelete={remove}
          />
          {accessMode !== "public" && (
            <button type="button" class="btn ghost logout" onClick={() => signOut(app.code).then(() => location.assign(`/webapp-signin?redirect_url=${encodeURIComponent(location.pathname)}`))}>
              {t("logout")}
            </button>
          )}
        </aside>
      )}
      <main class="chat-main">
        <header class="chat-header">
          {!embedded && (
            <button type="button" class="icon-btn open-drawer" aria-label={t("menu")} aria-controls="sidebar" aria-expanded={String(drawer)} onClick={() => setDrawer(true)}>
              <Icon name="menu" />
            </button>
          )}
          {embedded && <AppIcon site={site} size="sm" />}
          <h1 class="chat-title">{title}</h1>
          {embedded && (
            <button type="button" class="btn small ghost" onClick={newChat}>
              {t("newChat")}
            </button>
          )}
        </header>
        <div class="messages" ref={log} role="log" aria-label={title} aria-busy={String(responding)}>
          {olderFrom && (
            <button type="button" class="btn small ghost older" onClick={loadOlder}>
              {t("loadEarlier")}
            </button>
          )}
          {isNew && fields.some((f) => !f.hide) && (
            <section class="card inputs-card" aria-labelledby="inputs-title">
              <h2 id="inputs-title">{t("inputsTitle")}</h2>
              <InputsForm fields={fields} values={values} onChange={(name, value) => setValues((prev) => ({ ...prev, [name]: value }))} system={params.system_parameters} idPrefix="input" />
            </section>
          )}
          {!current && opening && (
            <div class="bubble answer intro">
              {site.use_icon_as_answer_icon && <AppIcon site={site} size="sm" />}
              <div class="bubble-body">
                <p>{opening}</p>
                {isNew && <Suggestions questions={params.suggested_questions ?? []} onPick={send} />}
              </div>
            </div>
          )}
          {turns.map((turn) => (
            <div class="turn" key={turn.key}>
              <div class="bubble question">
                <div class="bubble-body">
                  {turn.queryFiles.length > 0 && (
                    <div class="query-files">
                      {turn.queryFiles.map((f) => (f.previewUrl ? <img src={f.previewUrl} alt={f.name} /> : <span class="file-chip">{f.name}</span>))}
                    </div>
                  )}
                  <p>{turn.query}</p>
                </div>
              </div>
              <Answer turn={turn} site={site} actions={{ tts, onNotice: setNotice, system: params.system_parameters }} onSuggestion={(q) => send(q)} />
            </div>
          ))}
        </div>
        <Composer responding={responding} onSend={send} onStop={stop} policy={policy} voice={!!params.speech_to_text?.enabled} onNotice={setNotice} />
        <SiteFooter site={site} />
        {notice && <Notice text={notice} onDone={clearNotice} />}
      </main>
    </div>
  );
}
