// Tables of spec dify-web-api.md §7 that this API serves, plus our own model provider registry.
// Ids are UUID strings, timestamps integer Unix seconds, JSON columns use drizzle's json mode.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

type Json = Record<string, unknown>;
type JsonList = unknown[];

const id = () => text("id").primaryKey();
const createdAt = () => integer("created_at").notNull().default(sql`(unixepoch())`);
const updatedAt = () => integer("updated_at").notNull().default(sql`(unixepoch())`);
const json = <T = Json>(name: string) => text(name, { mode: "json" }).$type<T>();
const bool = (name: string) => integer(name, { mode: "boolean" });

export const tenants = sqliteTable("tenants", {
  id: id(),
  name: text("name").notNull(),
  plan: text("plan").notNull().default("basic"),
  status: text("status").notNull().default("normal"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const apps = sqliteTable(
  "apps",
  {
    id: id(),
    tenantId: text("tenant_id").notNull(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    mode: text("mode").notNull(),
    iconType: text("icon_type"),
    icon: text("icon"),
    iconBackground: text("icon_background"),
    appModelConfigId: text("app_model_config_id"),
    workflowId: text("workflow_id"),
    status: text("status").notNull().default("normal"),
    enableSite: bool("enable_site").notNull().default(true),
    enableApi: bool("enable_api").notNull().default(true),
    maxActiveRequests: integer("max_active_requests"),
    useIconAsAnswerIcon: bool("use_icon_as_answer_icon").notNull().default(false),
    // Web-app access control (Dify keeps it in its closed enterprise service): public | private | private_all | sso_verified.
    accessMode: text("access_mode").notNull().default("public"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("apps_tenant_idx").on(t.tenantId, t.createdAt)],
);

export const appModelConfigs = sqliteTable(
  "app_model_configs",
  {
    id: id(),
    appId: text("app_id").notNull(),
    provider: text("provider"),
    modelId: text("model_id"),
    openingStatement: text("opening_statement"),
    suggestedQuestions: json<string[]>("suggested_questions"),
    suggestedQuestionsAfterAnswer: json("suggested_questions_after_answer"),
    speechToText: json("speech_to_text"),
    textToSpeech: json("text_to_speech"),
    moreLikeThis: json("more_like_this"),
    model: json("model"),
    userInputForm: json<JsonList>("user_input_form"),
    datasetQueryVariable: text("dataset_query_variable"),
    prePrompt: text("pre_prompt"),
    agentMode: json("agent_mode"),
    sensitiveWordAvoidance: json("sensitive_word_avoidance"),
    retrieverResource: json("retriever_resource"),
    promptType: text("prompt_type").notNull().default("simple"),
    chatPromptConfig: json("chat_prompt_config"),
    completionPromptConfig: json("completion_prompt_config"),
    datasetConfigs: json("dataset_configs"),
    externalDataTools: json<JsonList>("external_data_tools"),
    fileUpload: json("file_upload"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("app_model_configs_app_idx").on(t.appId)],
);

export const workflows = sqliteTable(
  "workflows",
  {
    id: id(),
    tenantId: text("tenant_id").notNull(),
    appId: text("app_id").notNull(),
    type: text("type").notNull(), // workflow | chat
    version: text("version").notNull(), // "draft" or a publish timestamp string
    graph: json("graph").notNull(),
    features: json("features").notNull(),
    environmentVariables: json<JsonList>("environment_variables").notNull(),
    conversationVariables: json<JsonList>("conversation_variables").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("workflows_app_idx").on(t.appId, t.version)],
);

export const sites = sqliteTable(
  "sites",
  {
    id: id(),
    appId: text("app_id").notNull(),
    code: text("code").notNull(),
    status: text("status").notNull().default("normal"),
    title: text("title").notNull(),
    iconType: text("icon_type"),
    icon: text("icon"),
    iconBackground: text("icon_background"),
    description: text("description"),
    defaultLanguage: text("default_language").notNull().default("en-US"),
    chatColorTheme: text("chat_color_theme"),
    chatColorThemeInverted: bool("chat_color_theme_inverted").notNull().default(false),
    copyright: text("copyright"),
    privacyPolicy: text("privacy_policy"),
    customDisclaimer: text("custom_disclaimer"),
    showWorkflowSteps: bool("show_workflow_steps").notNull().default(true),
    useIconAsAnswerIcon: bool("use_icon_as_answer_icon").notNull().default(false),
    promptPublic: bool("prompt_public").notNull().default(false),
    customizeDomain: text("customize_domain"),
    customizeTokenStrategy: text("customize_token_strategy").notNull().default("not_allow"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("sites_code_uq").on(t.code), index("sites_app_idx").on(t.appId)],
);

export const endUsers = sqliteTable(
  "end_users",
  {
    id: id(),
    tenantId: text("tenant_id").notNull(),
    appId: text("app_id").notNull(),
    type: text("type").notNull().default("browser"),
    externalUserId: text("external_user_id"),
    name: text("name"),
    isAnonymous: bool("is_anonymous").notNull().default(true),
    sessionId: text("session_id").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // Unique so two concurrent passports for the same user_id resolve to one end user.
  (t) => [uniqueIndex("end_users_app_session_uq").on(t.appId, t.sessionId)],
);

export const conversations = sqliteTable(
  "conversations",
  {
    id: id(),
    appId: text("app_id").notNull(),
    appModelConfigId: text("app_model_config_id"),
    modelProvider: text("model_provider"),
    modelId: text("model_id"),
    overrideModelConfigs: json("override_model_configs"),
    mode: text("mode").notNull(),
    name: text("name").notNull(),
    summary: text("summary"),
    inputs: json("inputs").notNull(),
    introduction: text("introduction"),
    systemInstruction: text("system_instruction"),
    systemInstructionTokens: integer("system_instruction_tokens").notNull().default(0),
    status: text("status").notNull().default("normal"),
    invokeFrom: text("invoke_from"),
    fromSource: text("from_source").notNull(),
    fromEndUserId: text("from_end_user_id"),
    fromAccountId: text("from_account_id"),
    readAt: integer("read_at"),
    dialogueCount: integer("dialogue_count").notNull().default(0),
    isDeleted: bool("is_deleted").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("conversations_owner_updated_idx").on(t.appId, t.fromEndUserId, t.isDeleted, t.updatedAt),
    index("conversations_owner_created_idx").on(t.appId, t.fromEndUserId, t.isDeleted, t.createdAt),
  ],
);

export const messages = sqliteTable(
  "messages",
  {
    id: id(),
    appId: text("app_id").notNull(),
    modelProvider: text("model_provider"),
    modelId: text("model_id"),
    overrideModelConfigs: json("override_model_configs"),
    conversationId: text("conversation_id").notNull(),
    inputs: json("inputs").notNull(),
    query: text("query").notNull(),
    message: json<JsonList>("message"),
    messageTokens: integer("message_tokens").notNull().default(0),
    messageUnitPrice: text("message_unit_price").notNull().default("0"),
    messagePriceUnit: text("message_price_unit").notNull().default("0.001"),
    answer: text("answer").notNull().default(""),
    answerTokens: integer("answer_tokens").notNull().default(0),
    answerUnitPrice: text("answer_unit_price").notNull().default("0"),
    answerPriceUnit: text("answer_price_unit").notNull().default("0.001"),
    parentMessageId: text("parent_message_id"),
    providerResponseLatency: real("provider_response_latency").notNull().default(0),
    totalPrice: text("total_price").notNull().default("0"),
    currency: text("currency").notNull().default("USD"),
    status: text("status").notNull().default("normal"),
    error: text("error"),
    messageMetadata: json("message_metadata"),
    invokeFrom: text("invoke_from"),
    fromSource: text("from_source").notNull(),
    fromEndUserId: text("from_end_user_id"),
    fromAccountId: text("from_account_id"),
    agentBased: bool("agent_based").notNull().default(false),
    workflowRunId: text("workflow_run_id"),
    // The TaskRunner that produced this message (stop/resume reach it by this id).
    taskId: text("task_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("messages_conversation_created_idx").on(t.conversationId, t.createdAt),
    index("messages_owner_created_idx").on(t.appId, t.fromEndUserId, t.createdAt),
  ],
);

export const messageFiles = sqliteTable(
  "message_files",
  {
    id: id(),
    messageId: text("message_id").notNull(),
    type: text("type").notNull(),
    transferMethod: text("transfer_method").notNull(),
    url: text("url"),
    belongsTo: text("belongs_to"),
    uploadFileId: text("upload_file_id"),
    createdByRole: text("created_by_role").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("message_files_message_idx").on(t.messageId)],
);

export const messageFeedbacks = sqliteTable(
  "message_feedbacks",
  {
    id: id(),
    appId: text("app_id").notNull(),
    conversationId: text("conversation_id").notNull(),
    messageId: text("message_id").notNull(),
    rating: text("rating").notNull(),
    content: text("content"),
    fromSource: text("from_source").notNull(),
    fromEndUserId: text("from_end_user_id"),
    fromAccountId: text("from_account_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("message_feedbacks_owner_uq").on(t.messageId, t.fromSource, t.fromEndUserId)],
);

export const savedMessages = sqliteTable(
  "saved_messages",
  {
    id: id(),
    appId: text("app_id").notNull(),
    messageId: text("message_id").notNull(),
    createdByRole: text("created_by_role").notNull().default("end_user"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("saved_messages_owner_uq").on(t.appId, t.createdByRole, t.createdBy, t.messageId)],
);

export const pinnedConversations = sqliteTable(
  "pinned_conversations",
  {
    id: id(),
    appId: text("app_id").notNull(),
    conversationId: text("conversation_id").notNull(),
    createdByRole: text("created_by_role").notNull().default("end_user"),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("pinned_conversations_owner_uq").on(t.appId, t.createdByRole, t.createdBy, t.conversationId)],
);

export const uploadFiles = sqliteTable(
  "upload_files",
  {
    id: id(),
    tenantId: text("tenant_id").notNull(),
    storageType: text("storage_type").notNull().default("r2"),
    key: text("key").notNull(),
    name: text("name").notNull(),
    size: integer("size").notNull(),
    extension: text("extension").notNull(),
    mimeType: text("mime_type"),
    createdByRole: text("created_by_role").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    used: bool("used").notNull().default(false),
    usedBy: text("used_by"),
    usedAt: integer("used_at"),
    hash: text("hash"),
    sourceUrl: text("source_url").notNull().default(""),
  },
  (t) => [index("upload_files_owner_idx").on(t.createdByRole, t.createdBy)],
);

export const workflowRuns = sqliteTable(
  "workflow_runs",
  {
    id: id(),
    tenantId: text("tenant_id").notNull(),
    appId: text("app_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    type: text("type").notNull(),
    triggeredFrom: text("triggered_from").notNull().default("app-run"),
    version: text("version").notNull(),
    graph: json("graph"),
    inputs: json("inputs"),
    status: text("status").notNull(),
    outputs: json("outputs"),
    error: text("error"),
    elapsedTime: real("elapsed_time").notNull().default(0),
    totalTokens: integer("total_tokens").notNull().default(0),
    totalSteps: integer("total_steps").notNull().default(0),
    createdByRole: text("created_by_role").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    finishedAt: integer("finished_at"),
    exceptionsCount: integer("exceptions_count").notNull().default(0),
  },
  (t) => [index("workflow_runs_owner_idx").on(t.appId, t.createdByRole, t.createdBy, t.createdAt)],
);

export const workflowNodeExecutions = sqliteTable(
  "workflow_node_executions",
  {
    id: id(),
    tenantId: text("tenant_id").notNull(),
    appId: text("app_id").notNull(),
    workflowId: text("workflow_id").notNull(),
    triggeredFrom: text("triggered_from").notNull().default("workflow-run"),
    workflowRunId: text("workflow_run_id"),
    index: integer("index").notNull(),
    predecessorNodeId: text("predecessor_node_id"),
    nodeExecutionId: text("node_execution_id"),
    nodeId: text("node_id").notNull(),
    nodeType: text("node_type").notNull(),
    title: text("title").notNull(),
    inputs: json("inputs"),
    processData: json("process_data"),
    outputs: json("outputs"),
    status: text("status").notNull(),
    error: text("error"),
    elapsedTime: real("elapsed_time").notNull().default(0),
    executionMetadata: json("execution_metadata"),
    createdByRole: text("created_by_role").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
    finishedAt: integer("finished_at"),
  },
  (t) => [index("workflow_node_executions_run_idx").on(t.workflowRunId, t.index)],
);

// Agent-chat reasoning steps (Dify's message_agent_thoughts): one row per step of a message, shown as
// `agent_thoughts` in /api/messages.
export const messageAgentThoughts = sqliteTable(
  "message_agent_thoughts",
  {
    id: id(),
    messageId: text("message_id").notNull(),
    messageChainId: text("message_chain_id"),
    position: integer("position").notNull(),
    thought: text("thought"),
    tool: text("tool"),
    toolLabelsStr: text("tool_labels_str").notNull().default("{}"),
    toolMetaStr: text("tool_meta_str").notNull().default("{}"),
    toolInput: text("tool_input"),
    observation: text("observation"),
    toolProcessData: text("tool_process_data"),
    message: text("message"),
    messageTokens: integer("message_tokens"),
    messageUnitPrice: text("message_unit_price"),
    messagePriceUnit: text("message_price_unit").notNull().default("0.001"),
    messageFiles: text("message_files"),
    answer: text("answer"),
    answerTokens: integer("answer_tokens"),
    answerUnitPrice: text("answer_unit_price"),
    answerPriceUnit: text("answer_price_unit").notNull().default("0.001"),
    tokens: integer("tokens"),
    totalPrice: text("total_price"),
    currency: text("currency"),
    latency: real("latency"),
    createdByRole: text("created_by_role").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("message_agent_thoughts_message_idx").on(t.messageId, t.position)],
);

// Ours: MCP servers registered by the admin API (URL and headers; headers stored encrypted like
// provider keys), and which of their tools an agent app is given.
export const mcpServers = sqliteTable("mcp_servers", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  headersEncrypted: text("headers_encrypted"),
  name: text("name").notNull().default(""),
  /** The server's tool list (tools/list), cached; refreshed after `toolsCachedAt` + TTL. */
  toolsCache: json<unknown[]>("tools_cache"),
  toolsCachedAt: integer("tools_cached_at"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const appMcpServers = sqliteTable(
  "app_mcp_servers",
  {
    appId: text("app_id").notNull(),
    serverId: text("server_id").notNull(),
    /** Tool names of the server the app may use; null = all of them. */
    tools: json<string[]>("tools"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.appId, t.serverId] })],
);

// Chatflow conversation variables, one row per variable and conversation (Dify's conversation_variables;
// the value as JSON). Written by assigner nodes as they change, through the run's outbox.
export const conversationVariables = sqliteTable(
  "conversation_variables",
  {
    conversationId: text("conversation_id").notNull(),
    appId: text("app_id").notNull(),
    name: text("name").notNull(),
    value: json<unknown>("value"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.name] })],
);

export const humanInputForms = sqliteTable(
  "human_input_forms",
  {
    id: id(),
    tenantId: text("tenant_id").notNull(),
    appId: text("app_id").notNull(),
    workflowRunId: text("workflow_run_id"),
    conversationId: text("conversation_id"),
    formKind: text("form_kind").notNull().default("runtime"),
    nodeId: text("node_id").notNull(),
    formDefinition: json("form_definition").notNull(),
    renderedContent: text("rendered_content").notNull().default(""),
    status: text("status").notNull().default("waiting"),
    expirationTime: integer("expiration_time").notNull(),
    selectedActionId: text("selected_action_id"),
    submittedData: json("submitted_data"),
    submittedAt: integer("submitted_at"),
    submissionUserId: text("submission_user_id"),
    submissionEndUserId: text("submission_end_user_id"),
    completedByRecipientId: text("completed_by_recipient_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("human_input_forms_run_idx").on(t.workflowRunId)],
);

export const humanInputFormRecipients = sqliteTable(
  "human_input_form_recipients",
  {
    id: id(),
    formId: text("form_id").notNull(),
    deliveryId: text("delivery_id"),
    recipientType: text("recipient_type").notNull(),
    recipientPayload: json("recipient_payload"),
    accessToken: text("access_token").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("human_input_form_recipients_token_uq").on(t.accessToken), index("human_input_form_recipients_form_idx").on(t.formId)],
);

// Ours: per-app concurrency slots (apps.max_active_requests / APP_MAX_ACTIVE_REQUESTS). A slot is
// taken by a conditional insert (atomic in D1) and released when the task ends; stale slots expire.
export const appActiveRequests = sqliteTable(
  "app_active_requests",
  {
    id: id(),
    appId: text("app_id").notNull(),
    startedAt: integer("started_at").notNull(),
  },
  (t) => [index("app_active_requests_app_idx").on(t.appId, t.startedAt)],
);

// Ours: the model providers an app's Dify provider string resolves to (admin API).
export const modelProviders = sqliteTable("model_providers", {
  name: text("name").primaryKey(),
  type: text("type").notNull(), // openai-compatible | workers-ai | echo
  baseUrl: text("base_url"),
  // AES-GCM ciphertext (base64 of iv || ciphertext), key derived from SECRET_KEY; never returned.
  apiKeyEncrypted: text("api_key_encrypted"),
  config: json("config"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

// Ours: web-app sign-in and access control (Dify keeps accounts in its console and the access lists in
// its closed enterprise service; spec dify-web-auth.md §11). Accounts are deployment-wide.
export const accounts = sqliteTable(
  "accounts",
  {
    id: id(),
    // Stored lower-cased, so the unique index makes addresses unique case-insensitively.
    email: text("email").notNull(),
    name: text("name").notNull(),
    // PBKDF2-SHA256 in Dify's encoding (base64 of the hex digest) and base64 salt; null = code sign-in only.
    password: text("password"),
    passwordSalt: text("password_salt"),
    status: text("status").notNull().default("active"), // active | banned
    // Login tokens and app passports issued at or before this second are dead (password reset, ban).
    tokensValidAfter: integer("tokens_valid_after").notNull().default(0),
    lastLoginAt: integer("last_login_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("accounts_email_uq").on(t.email)],
);

export const accountGroups = sqliteTable(
  "account_groups",
  {
    id: id(),
    name: text("name").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("account_groups_name_uq").on(t.name)],
);

export const accountGroupMembers = sqliteTable(
  "account_group_members",
  {
    groupId: text("group_id").notNull(),
    accountId: text("account_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.accountId] }), index("account_group_members_account_idx").on(t.accountId)],
);

/** Who may use a `private` app: accounts directly, or every member of a group. */
export const appAccessGrants = sqliteTable(
  "app_access_grants",
  {
    appId: text("app_id").notNull(),
    subjectType: text("subject_type").notNull(), // account | group
    subjectId: text("subject_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.appId, t.subjectType, t.subjectId] }), index("app_access_grants_subject_idx").on(t.subjectType, t.subjectId)],
);

/** One-time sign-in and reset tokens. The code hash lives in KV; this row decides single use. */
export const authTokens = sqliteTable(
  "auth_tokens",
  {
    // SHA-256 of the token: a leaked table does not hand out usable reset tokens.
    id: text("id").primaryKey(),
    kind: text("kind").notNull(), // email_code_login | reset_password
    email: text("email").notNull(),
    expiresAt: integer("expires_at").notNull(),
    consumedAt: integer("consumed_at"),
    createdAt: createdAt(),
  },
  (t) => [index("auth_tokens_email_idx").on(t.email, t.kind), index("auth_tokens_expires_idx").on(t.expiresAt)],
);

/** Sliding-window log of mails sent per email and per client IP (exact limits, one row per send). */
export const authRateEvents = sqliteTable(
  "auth_rate_events",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("auth_rate_events_key_idx").on(t.scope, t.key, t.at), index("auth_rate_events_at_idx").on(t.scope, t.at)],
);

/** Failed sign-in / reset attempts per email; at the limit the email is locked until expires_at. */
export const authFailures = sqliteTable(
  "auth_failures",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    count: integer("count").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] })],
);

/** Mail kept by MAIL_PROVIDER=outbox, read by developers at GET /admin/outbox. */
export const mailOutbox = sqliteTable(
  "mail_outbox",
  {
    id: id(),
    recipient: text("recipient").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("mail_outbox_recipient_idx").on(t.recipient, t.createdAt)],
);

export type App = typeof apps.$inferSelect;
export type Site = typeof sites.$inferSelect;
export type Tenant = typeof tenants.$inferSelect;
export type AppModelConfig = typeof appModelConfigs.$inferSelect;
export type Workflow = typeof workflows.$inferSelect;
export type EndUser = typeof endUsers.$inferSelect;
export type Conversation = typeof conversations.$inferSelect;
export type Message = typeof messages.$inferSelect;
export type ModelProvider = typeof modelProviders.$inferSelect;
export type Account = typeof accounts.$inferSelect;
export type AccountGroup = typeof accountGroups.$inferSelect;
