CREATE TABLE "conversation_assignments" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "conversation_assignments_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"conversation_id" bigint NOT NULL,
	"user_id" integer NOT NULL,
	"campaign_id" integer NOT NULL,
	"via" text NOT NULL,
	"max_interactions" integer NOT NULL,
	"active_before" integer NOT NULL,
	"assigned_at" timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
	"released_at" timestamp with time zone,
	"release_reason" text
);
--> statement-breakpoint
CREATE TABLE "conversation_offers" (
	"conversation_id" bigint NOT NULL,
	"user_id" integer NOT NULL,
	"campaign_id" integer NOT NULL,
	"offered_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversation_offers_conversation_id_user_id_pk" PRIMARY KEY("conversation_id","user_id")
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "requeued_from_user_id" integer;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "chat_time_exceeded_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "agent_presence" ADD COLUMN "connected_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "agent_presence" ADD COLUMN "disconnected_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversation_assignments" ADD CONSTRAINT "conversation_assignments_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_assignments" ADD CONSTRAINT "conversation_assignments_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_assignments" ADD CONSTRAINT "conversation_assignments_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_offers" ADD CONSTRAINT "conversation_offers_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_offers" ADD CONSTRAINT "conversation_offers_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "conversation_offers" ADD CONSTRAINT "conversation_offers_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "conversation_assignments_one_open" ON "conversation_assignments" USING btree ("conversation_id") WHERE released_at is null;--> statement-breakpoint
CREATE INDEX "conversation_assignments_conversation_idx" ON "conversation_assignments" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "conversation_assignments_user_idx" ON "conversation_assignments" USING btree ("user_id","assigned_at");--> statement-breakpoint
CREATE INDEX "conversation_assignments_released_idx" ON "conversation_assignments" USING btree ("campaign_id","released_at");--> statement-breakpoint
CREATE INDEX "conversation_offers_user_idx" ON "conversation_offers" USING btree ("user_id");--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_requeued_from_user_id_users_id_fk" FOREIGN KEY ("requeued_from_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversations_closed_idx" ON "conversations" USING btree ("campaign_id","closed_at") WHERE status = 'closed';--> statement-breakpoint
CREATE INDEX "conversations_first_reply_idx" ON "conversations" USING btree ("campaign_id","first_agent_reply_at");--> statement-breakpoint
CREATE INDEX "conversations_contact_idx" ON "conversations" USING btree ("contact_id","id");--> statement-breakpoint
-- Conversations already with an agent get their open assignment, so releases and figures see them.
INSERT INTO "conversation_assignments" ("conversation_id", "user_id", "campaign_id", "via", "max_interactions", "active_before", "assigned_at")
SELECT c."id", c."assigned_user_id", c."campaign_id", 'routing', k."max_interactions_per_agent", 0, coalesce(c."assigned_at", now())
  FROM "conversations" c JOIN "campaigns" k ON k."id" = c."campaign_id"
 WHERE c."status" = 'assigned';
