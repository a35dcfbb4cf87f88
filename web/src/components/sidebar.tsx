// The conversation list (spec dify-web-api.md §4.13–4.16): pinned first, then the rest, each paged
// with last_id; rename in place, pin/unpin, delete, new chat.
import { useState } from "hono/jsx/dom";
import { t } from "../lib/i18n";
import { Icon } from "./icons";

export interface Conversation {
  id: string;
  name: string;
  inputs: Record<string, unknown>;
  introduction?: string | null;
}

export interface ConversationList {
  items: Conversation[];
  hasMore: boolean;
}

interface Props {
  pinned: ConversationList;
  others: ConversationList;
  current: string | null;
  onSelect: (c: Conversation) => void;
  onNew: () => void;
  onMore: (pinned: boolean) => void;
  onRename: (c: Conversation, name: string) => void;
  onPin: (c: Conversation, pin: boolean) => void;
  onDelete: (c: Conversation) => void;
}

function Item({ c, pinned, current, props }: { c: Conversation; pinned: boolean; current: boolean; props: Props }) {
  const [editing, setEditing] = useState(false);
  const [menu, setMenu] = useState(false);
  const [name, setName] = useState(c.name);
  if (editing) {
    return (
      <li class="conv editing">
        <form
          onSubmit={(e: Event) => {
            e.preventDefault();
            if (name.trim()) props.onRename(c, name.trim());
            setEditing(false);
          }}
        >
          <label class="sr-only" for={`rename-${c.id}`}>
            {t("conversationName")}
          </label>
          <input id={`rename-${c.id}`} value={name} autofocus onInput={(e: Event) => setName((e.target as HTMLInputElement).value)} onKeyDown={(e: KeyboardEvent) => e.key === "Escape" && setEditing(false)} />
          <button type="submit" class="btn small">
            {t("save")}
          </button>
          <button type="button" class="btn small ghost" onClick={() => setEditing(false)}>
            {t("cancel")}
          </button>
        </form>
      </li>
    );
  }
  return (
    <li class={`conv ${current ? "current" : ""}`}>
      <button type="button" class="conv-name" aria-current={current ? "true" : undefined} onClick={() => props.onSelect(c)}>
        {c.name || t("untitled")}
      </button>
      <button type="button" class="icon-btn conv-menu" aria-label={`${t("actions")}: ${c.name}`} aria-expanded={String(menu)} onClick={() => setMenu(!menu)}>
        <Icon name="more" />
      </button>
      {menu && (
        <div class="menu" role="menu" onKeyDown={(e: KeyboardEvent) => e.key === "Escape" && setMenu(false)}>
          <button type="button" role="menuitem" onClick={() => (setMenu(false), props.onPin(c, !pinned))}>
            {pinned ? t("unpin") : t("pin")}
          </button>
          <button type="button" role="menuitem" onClick={() => (setMenu(false), setName(c.name), setEditing(true))}>
            {t("rename")}
          </button>
          <button type="button" role="menuitem" class="danger" onClick={() => (setMenu(false), props.onDelete(c))}>
            {t("delete")}
          </button>
        </div>
      )}
    </li>
  );
}

function Section({ title, list, pinned, props }: { title: string; list: ConversationList; pinned: boolean; props: Props }) {
  if (!list.items.length) return null;
  return (
    <section class="conv-section" aria-label={title}>
      <h2>{title}</h2>
      <ul>
        {list.items.map((c) => (
          <Item key={c.id} c={c} pinned={pinned} current={c.id === props.current} props={props} />
        ))}
      </ul>
      {list.hasMore && (
        <button type="button" class="btn small ghost" onClick={() => props.onMore(pinned)}>
          {t("loadMore")}
        </button>
      )}
    </section>
  );
}

export function Sidebar(props: Props) {
  return (
    <nav class="conversations" aria-label={t("conversations")}>
      <button type="button" class="btn primary new-chat" onClick={props.onNew}>
        <Icon name="plus" /> {t("newChat")}
      </button>
      <Section title={t("pinned")} list={props.pinned} pinned props={props} />
      <Section title={t("conversations")} list={props.others} pinned={false} props={props} />
    </nav>
  );
}
