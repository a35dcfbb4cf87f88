CREATE TABLE `conversation_variables` (
	`conversation_id` text NOT NULL,
	`app_id` text NOT NULL,
	`name` text NOT NULL,
	`value` text,
	`created_at` integer DEFAULT (unixepoch()) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch()) NOT NULL,
	PRIMARY KEY(`conversation_id`, `name`)
);
