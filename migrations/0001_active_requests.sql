CREATE TABLE `app_active_requests` (
	`id` text PRIMARY KEY NOT NULL,
	`app_id` text NOT NULL,
	`started_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `app_active_requests_app_idx` ON `app_active_requests` (`app_id`,`started_at`);