CREATE TABLE `app_model_configs` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`provider` text,
	`model_id` text,
	`opening_statement` text,
	`suggested_questions` text,
	`suggested_questions_after_answer` text,
	`speech_to_text` text,
	`text_to_speech` text,
	`more_like_this` text,
	`model` text,
	`user_input_form` text,
	`dataset_query_variable` text,
	`pre_prompt` text,
	`agent_mode` text,
	`sensitive_word_avoidance` text,
	`retriever_resource` text,
	`prompt_type` text DEFAULT 'simple' NOT NULL,
	`chat_prompt_config` text,
	`completion_prompt_config` text,
	`dataset_configs` text,
	`external_data_tools` text,
	`file_upload` text,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `app_model_configs_app_idx` ON `app_model_configs` (`app_id`);--> statement-breakpoint
CREATE TABLE `apps` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`mode` text NOT NULL,
	`icon_type` text,
	`icon` text,
	`icon_background` text,
	`app_model_config_id` text,
	`workflow_id` text,
	`status` text DEFAULT 'normal' NOT NULL,
	`enable_site` integer DEFAULT true NOT NULL,
	`enable_api` integer DEFAULT true NOT NULL,
	`max_active_requests` integer,
	`use_icon_as_answer_icon` integer DEFAULT false NOT NULL,
	`access_mode` text DEFAULT 'public' NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `apps_tenant_idx` ON `apps` (`tenant_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`app_model_config_id` text,
	`model_provider` text,
	`model_id` text,
	`override_model_configs` text,
	`mode` text NOT NULL,
	`name` text NOT NULL,
	`summary` text,
	`inputs` text NOT NULL,
	`introduction` text,
	`system_instruction` text,
	`system_instruction_tokens` integer DEFAULT 0 NOT NULL,
	`status` text DEFAULT 'normal' NOT NULL,
	`invoke_from` text,
	`from_source` text NOT NULL,
	`from_end_user_id` text,
	`from_account_id` text,
	`read_at` integer,
	`dialogue_count` integer DEFAULT 0 NOT NULL,
	`is_deleted` integer DEFAULT false NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `conversations_owner_updated_idx` ON `conversations` (`app_id`,`from_end_user_id`,`is_deleted`,`updated_at`);--> statement-breakpoint
CREATE INDEX `conversations_owner_created_idx` ON `conversations` (`app_id`,`from_end_user_id`,`is_deleted`,`created_at`);--> statement-breakpoint
CREATE TABLE `end_users` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`app_id` text NOT NULL,
	`type` text DEFAULT 'browser' NOT NULL,
	`external_user_id` text,
	`name` text,
	`is_anonymous` integer DEFAULT true NOT NULL,
	`session_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `end_users_app_session_uq` ON `end_users` (`app_id`,`session_id`);--> statement-breakpoint
CREATE TABLE `human_input_form_recipients` (
	`id` text PRIMARY KEY NOT NULL,
	`form_id` text NOT NULL,
	`delivery_id` text,
	`recipient_type` text NOT NULL,
	`recipient_payload` text,
	`access_token` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `human_input_form_recipients_token_uq` ON `human_input_form_recipients` (`access_token`);--> statement-breakpoint
CREATE INDEX `human_input_form_recipients_form_idx` ON `human_input_form_recipients` (`form_id`);--> statement-breakpoint
CREATE TABLE `human_input_forms` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`app_id` text NOT NULL,
	`workflow_run_id` text,
	`conversation_id` text,
	`form_kind` text DEFAULT 'runtime' NOT NULL,
	`node_id` text NOT NULL,
	`form_definition` text NOT NULL,
	`rendered_content` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'waiting' NOT NULL,
	`expiration_time` integer NOT NULL,
	`selected_action_id` text,
	`submitted_data` text,
	`submitted_at` integer,
	`submission_user_id` text,
	`submission_end_user_id` text,
	`completed_by_recipient_id` text,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `human_input_forms_run_idx` ON `human_input_forms` (`workflow_run_id`);--> statement-breakpoint
CREATE TABLE `message_feedbacks` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`message_id` text NOT NULL,
	`rating` text NOT NULL,
	`content` text,
	`from_source` text NOT NULL,
	`from_end_user_id` text,
	`from_account_id` text,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `message_feedbacks_owner_uq` ON `message_feedbacks` (`message_id`,`from_source`,`from_end_user_id`);--> statement-breakpoint
CREATE TABLE `message_files` (
	`id` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`type` text NOT NULL,
	`transfer_method` text NOT NULL,
	`url` text,
	`belongs_to` text,
	`upload_file_id` text,
	`created_by_role` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `message_files_message_idx` ON `message_files` (`message_id`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`model_provider` text,
	`model_id` text,
	`override_model_configs` text,
	`conversation_id` text NOT NULL,
	`inputs` text NOT NULL,
	`query` text NOT NULL,
	`message` text,
	`message_tokens` integer DEFAULT 0 NOT NULL,
	`message_unit_price` text DEFAULT '0' NOT NULL,
	`message_price_unit` text DEFAULT '0.001' NOT NULL,
	`answer` text DEFAULT '' NOT NULL,
	`answer_tokens` integer DEFAULT 0 NOT NULL,
	`answer_unit_price` text DEFAULT '0' NOT NULL,
	`answer_price_unit` text DEFAULT '0.001' NOT NULL,
	`parent_message_id` text,
	`provider_response_latency` real DEFAULT 0 NOT NULL,
	`total_price` text DEFAULT '0' NOT NULL,
	`currency` text DEFAULT 'USD' NOT NULL,
	`status` text DEFAULT 'normal' NOT NULL,
	`error` text,
	`message_metadata` text,
	`invoke_from` text,
	`from_source` text NOT NULL,
	`from_end_user_id` text,
	`from_account_id` text,
	`agent_based` integer DEFAULT false NOT NULL,
	`workflow_run_id` text,
	`task_id` text,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `messages_conversation_created_idx` ON `messages` (`conversation_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `messages_owner_created_idx` ON `messages` (`app_id`,`from_end_user_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `model_providers` (
	`name` text PRIMARY KEY NOT NULL,
	`type` text NOT NULL,
	`base_url` text,
	`api_key_encrypted` text,
	`config` text,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pinned_conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`conversation_id` text NOT NULL,
	`created_by_role` text DEFAULT 'end_user' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pinned_conversations_owner_uq` ON `pinned_conversations` (`app_id`,`created_by_role`,`created_by`,`conversation_id`);--> statement-breakpoint
CREATE TABLE `saved_messages` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`message_id` text NOT NULL,
	`created_by_role` text DEFAULT 'end_user' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `saved_messages_owner_uq` ON `saved_messages` (`app_id`,`created_by_role`,`created_by`,`message_id`);--> statement-breakpoint
CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`code` text NOT NULL,
	`status` text DEFAULT 'normal' NOT NULL,
	`title` text NOT NULL,
	`icon_type` text,
	`icon` text,
	`icon_background` text,
	`description` text,
	`default_language` text DEFAULT 'en-US' NOT NULL,
	`chat_color_theme` text,
	`chat_color_theme_inverted` integer DEFAULT false NOT NULL,
	`copyright` text,
	`privacy_policy` text,
	`custom_disclaimer` text,
	`show_workflow_steps` integer DEFAULT true NOT NULL,
	`use_icon_as_answer_icon` integer DEFAULT false NOT NULL,
	`prompt_public` integer DEFAULT false NOT NULL,
	`customize_domain` text,
	`customize_token_strategy` text DEFAULT 'not_allow' NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sites_code_uq` ON `sites` (`code`);--> statement-breakpoint
CREATE INDEX `sites_app_idx` ON `sites` (`app_id`);--> statement-breakpoint
CREATE TABLE `tenants` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`plan` text DEFAULT 'basic' NOT NULL,
	`status` text DEFAULT 'normal' NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `upload_files` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`storage_type` text DEFAULT 'r2' NOT NULL,
	`key` text NOT NULL,
	`name` text NOT NULL,
	`size` integer NOT NULL,
	`extension` text NOT NULL,
	`mime_type` text,
	`created_by_role` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`used` integer DEFAULT false NOT NULL,
	`used_by` text,
	`used_at` integer,
	`hash` text,
	`source_url` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE INDEX `upload_files_owner_idx` ON `upload_files` (`created_by_role`,`created_by`);--> statement-breakpoint
CREATE TABLE `workflow_node_executions` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`app_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`triggered_from` text DEFAULT 'workflow-run' NOT NULL,
	`workflow_run_id` text,
	`index` integer NOT NULL,
	`predecessor_node_id` text,
	`node_execution_id` text,
	`node_id` text NOT NULL,
	`node_type` text NOT NULL,
	`title` text NOT NULL,
	`inputs` text,
	`process_data` text,
	`outputs` text,
	`status` text NOT NULL,
	`error` text,
	`elapsed_time` real DEFAULT 0 NOT NULL,
	`execution_metadata` text,
	`created_by_role` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `workflow_node_executions_run_idx` ON `workflow_node_executions` (`workflow_run_id`,`index`);--> statement-breakpoint
CREATE TABLE `workflow_runs` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`app_id` text NOT NULL,
	`workflow_id` text NOT NULL,
	`type` text NOT NULL,
	`triggered_from` text DEFAULT 'app-run' NOT NULL,
	`version` text NOT NULL,
	`graph` text,
	`inputs` text,
	`status` text NOT NULL,
	`outputs` text,
	`error` text,
	`elapsed_time` real DEFAULT 0 NOT NULL,
	`total_tokens` integer DEFAULT 0 NOT NULL,
	`total_steps` integer DEFAULT 0 NOT NULL,
	`created_by_role` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`finished_at` integer,
	`exceptions_count` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `workflow_runs_owner_idx` ON `workflow_runs` (`app_id`,`created_by_role`,`created_by`,`created_at`);--> statement-breakpoint
CREATE TABLE `workflows` (
	`id` text PRIMARY KEY NOT NULL,
	`tenant_id` text NOT NULL,
	`app_id` text NOT NULL,
	`type` text NOT NULL,
	`version` text NOT NULL,
	`graph` text NOT NULL,
	`features` text NOT NULL,
	`environment_variables` text NOT NULL,
	`conversation_variables` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `workflows_app_idx` ON `workflows` (`app_id`,`version`);