CREATE TABLE "channel_send_pacing" (
	"channel_id" integer PRIMARY KEY NOT NULL,
	"next_slot_at" timestamp (6) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "channel_leases" ADD COLUMN "detail" text;--> statement-breakpoint
ALTER TABLE "channels" ADD COLUMN "sends_per_second" double precision;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "content" jsonb;--> statement-breakpoint
ALTER TABLE "channel_send_pacing" ADD CONSTRAINT "channel_send_pacing_channel_id_channels_id_fk" FOREIGN KEY ("channel_id") REFERENCES "public"."channels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channels" ADD CONSTRAINT "channels_sends_per_second_check" CHECK ("channels"."sends_per_second" is null or "channels"."sends_per_second" > 0);