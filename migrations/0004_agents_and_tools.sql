CREATE TABLE `app_mcp_servers` (
	`app_id` text NOT NULL,
	`server_id` text NOT NULL,
	`tools` text,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	PRIMARY KEY(`app_id`, `server_id`)
);
--> statement-breakpoint
CREATE TABLE `mcp_servers` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`headers_encrypted` text,
	`name` text DEFAULT '' NOT NULL,
	`tools_cache` text,
	`tools_cached_at` integer,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `message_agent_thoughts` (
	`id` text PRIMARY KEY NOT NULL,
	`message_id` text NOT NULL,
	`message_chain_id` text,
	`position` integer NOT NULL,
	`thought` text,
	`tool` text,
	`tool_labels_str` text DEFAULT '{}' NOT NULL,
	`tool_meta_str` text DEFAULT '{}' NOT NULL,
	`tool_input` text,
	`observation` text,
	`tool_process_data` text,
	`message` text,
	`message_tokens` integer,
	`message_unit_price` text,
	`message_price_unit` text DEFAULT '0.001' NOT NULL,
	`message_files` text,
	`answer` text,
	`answer_tokens` integer,
	`answer_unit_price` text,
	`answer_price_unit` text DEFAULT '0.001' NOT NULL,
	`tokens` integer,
	`total_price` text,
	`currency` text,
	`latency` real,
	`created_by_role` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL
);
--> statement-breakpoint
CREATE INDEX `message_agent_thoughts_message_idx` ON `message_agent_thoughts` (`message_id`,`position`);