// The start every chat turn shares (chat, agent-chat and chatflow apps, spec dify-web-api.md §4.5):
// the bounded query, the conversation it continues (the end user's own and still open, else 404 /
// conversation_completed) and the parent message (a client that names none in an existing
// conversation continues it linearly).
import type { Conversation, EndUser } from "../../db/schema";
import { ConversationCompleted, InvalidParam } from "../../lib/errors";
import { isUuid } from "../../lib/ids";
import { UUID_NIL } from "../../llm/history";
import type { AppContext } from "../apps/app-registry";
import type { Deps } from "../deps";
import { boundedQuery } from "../generation/inputs";
import { type Owner, requireConversation } from "./ownership";

export interface ChatTurnBody {
  query: string;
  conversation_id?: string | null;
  parent_message_id?: string | null;
}

export interface ChatTurn {
  query: string;
  conversation: Conversation | null;
  parentId: string | null;
  owner: Owner;
}

function optionalUuid(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined || value === "") return null;
  if (!isUuid(value)) throw new InvalidParam(`${value} is not a valid uuid.`, field);
  return value.toLowerCase();
}

export async function chatTurn(deps: Deps, ctx: AppContext, endUser: EndUser, body: ChatTurnBody): Promise<ChatTurn> {
  const query = boundedQuery(body.query, deps.config.limits);
  if (!query.trim()) throw new InvalidParam("query is required", "query");
  const conversationId = optionalUuid(body.conversation_id, "conversation_id");
  let parentId = optionalUuid(body.parent_message_id, "parent_message_id");
  const owner = { appId: ctx.app.id, endUserId: endUser.id };
  let conversation: Conversation | null = null;
  if (conversationId) {
    conversation = await requireConversation(deps.db, owner, conversationId);
    if (conversation.status !== "normal") throw new ConversationCompleted();
    parentId ??= UUID_NIL;
  }
  return { query, conversation, parentId, owner };
}
