ALTER TABLE "campaigns" ADD COLUMN "opt_out_keywords" text[] DEFAULT '{"STOP","BAJA","UNSUBSCRIBE","CANCELAR","QUIT","END"}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "opt_in_keywords" text[] DEFAULT '{"START","ALTA"}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "help_keywords" text[] DEFAULT '{"HELP","AYUDA"}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "opt_out_scope" text DEFAULT 'campaign' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "opt_out_message" text DEFAULT 'You will not receive more messages from us. Reply START to subscribe again.' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "opt_in_message" text DEFAULT 'You are subscribed again. Reply STOP to unsubscribe.' NOT NULL;--> statement-breakpoint
ALTER TABLE "campaigns" ADD COLUMN "help_message" text DEFAULT 'Write your question and we will answer. Reply STOP to unsubscribe, START to subscribe again.' NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "bot_expires_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "conversations_bot_expiry_idx" ON "conversations" USING btree ("bot_expires_at") WHERE status = 'bot';--> statement-breakpoint
CREATE INDEX "messages_queued_outbound_idx" ON "messages" USING btree ("channel_id","address","id") WHERE status = 'queued' and direction = 'outbound';--> statement-breakpoint
ALTER TABLE "campaigns" ADD CONSTRAINT "campaigns_opt_out_scope_check" CHECK ("campaigns"."opt_out_scope" in ('campaign', 'global'));