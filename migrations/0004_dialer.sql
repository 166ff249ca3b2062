CREATE TABLE "dialer_workers" (
	"id" text PRIMARY KEY NOT NULL,
	"node" text NOT NULL,
	"pid" integer NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "spool_counts" (
	"dialer_id" integer NOT NULL,
	"campaign_id" integer NOT NULL,
	"state" smallint NOT NULL,
	"count" bigint NOT NULL,
	CONSTRAINT "spool_counts_dialer_id_campaign_id_state_pk" PRIMARY KEY("dialer_id","campaign_id","state")
);
--> statement-breakpoint
CREATE TABLE "spool_sent_minutes" (
	"dialer_id" integer NOT NULL,
	"minute" timestamp with time zone NOT NULL,
	"sent" bigint NOT NULL,
	CONSTRAINT "spool_sent_minutes_dialer_id_minute_pk" PRIMARY KEY("dialer_id","minute")
);
--> statement-breakpoint
ALTER TABLE "spool" DROP CONSTRAINT "spool_dialer_id_dialers_id_fk";
--> statement-breakpoint
ALTER TABLE "spool" DROP CONSTRAINT "spool_campaign_id_campaigns_id_fk";
--> statement-breakpoint
ALTER TABLE "spool" DROP CONSTRAINT "spool_import_id_spool_imports_id_fk";
--> statement-breakpoint
ALTER TABLE "spool" DROP CONSTRAINT "spool_message_id_messages_id_fk";
--> statement-breakpoint
DROP INDEX "spool_dialer_state_idx";--> statement-breakpoint
DROP INDEX "spool_pending_idx";--> statement-breakpoint
ALTER TABLE "spool" ALTER COLUMN "id" DROP IDENTITY;--> statement-breakpoint
ALTER TABLE "spool" ALTER COLUMN "id" SET DEFAULT nextval('messages_id_seq');--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "dialer_id" integer;--> statement-breakpoint
ALTER TABLE "dialers" ADD COLUMN "template" jsonb;--> statement-breakpoint
ALTER TABLE "dialers" ADD COLUMN "next_slot_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dialers" ADD COLUMN "running_changed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "dialers" ADD COLUMN "running_changed_by_user_id" integer;--> statement-breakpoint
ALTER TABLE "spool" ADD COLUMN "not_before" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "spool" ADD COLUMN "delivery_status_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "spool_imports" ADD COLUMN "byte_count" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_dialer_id_dialers_id_fk" FOREIGN KEY ("dialer_id") REFERENCES "public"."dialers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dialers" ADD CONSTRAINT "dialers_running_changed_by_user_id_users_id_fk" FOREIGN KEY ("running_changed_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "spool_provider_idx" ON "spool" USING btree ("provider_message_id") WHERE provider_message_id is not null;--> statement-breakpoint
CREATE INDEX "spool_pending_idx" ON "spool" USING btree ("dialer_id","priority" DESC NULLS LAST,"id") WHERE state = 1 and claimed_at is null;--> statement-breakpoint
ALTER TABLE "spool" DROP COLUMN "entry_position";--> statement-breakpoint
ALTER TABLE "spool" DROP COLUMN "message_id";--> statement-breakpoint
-- Ids of spool rows and messages come from one sequence (a provider id derived from either never names both).
-- No CACHE on it: cached ranges per connection would give ids out of insert order, and both tables are read in id order.
INSERT INTO "spool_counts" ("dialer_id", "campaign_id", "state", "count")
  SELECT "dialer_id", "campaign_id", "state", count(*) FROM "spool" GROUP BY 1, 2, 3;--> statement-breakpoint
-- spool_counts and spool_sent_minutes follow every statement on spool, from its transition tables.
-- Rows are upserted in key order, so two statements never take the counter rows in opposite orders.
CREATE FUNCTION "spool_count_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO spool_counts AS c (dialer_id, campaign_id, state, count)
    SELECT dialer_id, campaign_id, state, count(*) FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (dialer_id, campaign_id, state) DO UPDATE SET count = c.count + excluded.count;
  INSERT INTO spool_sent_minutes AS m (dialer_id, minute, sent)
    SELECT dialer_id, date_trunc('minute', clock_timestamp()), count(*) FROM new_rows WHERE state = 2 GROUP BY 1 ORDER BY 1
  ON CONFLICT (dialer_id, minute) DO UPDATE SET sent = m.sent + excluded.sent;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "spool_count_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO spool_counts AS c (dialer_id, campaign_id, state, count)
    SELECT dialer_id, campaign_id, state, sum(n) FROM (
      SELECT dialer_id, campaign_id, state, count(*) AS n FROM new_rows GROUP BY 1, 2, 3
      UNION ALL
      SELECT dialer_id, campaign_id, state, -count(*) FROM old_rows GROUP BY 1, 2, 3
    ) AS delta GROUP BY 1, 2, 3 HAVING sum(n) <> 0 ORDER BY 1, 2, 3
  ON CONFLICT (dialer_id, campaign_id, state) DO UPDATE SET count = c.count + excluded.count;
  -- Rows that became SENT, as a net count (no join of the transition tables: they have no index).
  INSERT INTO spool_sent_minutes AS m (dialer_id, minute, sent)
    SELECT dialer_id, date_trunc('minute', clock_timestamp()), sum(n) FROM (
      SELECT dialer_id, count(*) AS n FROM new_rows WHERE state = 2 GROUP BY 1
      UNION ALL
      SELECT dialer_id, -count(*) FROM old_rows WHERE state = 2 GROUP BY 1
    ) AS delta GROUP BY 1 HAVING sum(n) > 0 ORDER BY 1
  ON CONFLICT (dialer_id, minute) DO UPDATE SET sent = m.sent + excluded.sent;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE FUNCTION "spool_count_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO spool_counts AS c (dialer_id, campaign_id, state, count)
    SELECT dialer_id, campaign_id, state, -count(*) FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (dialer_id, campaign_id, state) DO UPDATE SET count = c.count + excluded.count;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "spool_count_insert" AFTER INSERT ON "spool" REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "spool_count_insert"();--> statement-breakpoint
CREATE TRIGGER "spool_count_update" AFTER UPDATE ON "spool" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "spool_count_update"();--> statement-breakpoint
CREATE TRIGGER "spool_count_delete" AFTER DELETE ON "spool" REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION "spool_count_delete"();--> statement-breakpoint
-- The spool has no per-row foreign keys (a million-row import would pay one check per row and key):
-- a dialer or campaign that spool rows still name cannot be deleted (the counters know, without a scan).
CREATE FUNCTION "spool_parent_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM spool_counts WHERE count > 0 AND CASE TG_ARGV[0] WHEN 'dialer' THEN dialer_id ELSE campaign_id END = OLD.id) THEN
    RAISE EXCEPTION 'spool rows still refer to % %', TG_ARGV[0], OLD.id USING ERRCODE = 'foreign_key_violation', TABLE = 'spool';
  END IF;
  RETURN OLD;
END $$;--> statement-breakpoint
CREATE TRIGGER "spool_dialer_guard" BEFORE DELETE ON "dialers" FOR EACH ROW EXECUTE FUNCTION "spool_parent_guard"('dialer');--> statement-breakpoint
CREATE TRIGGER "spool_campaign_guard" BEFORE DELETE ON "campaigns" FOR EACH ROW EXECUTE FUNCTION "spool_parent_guard"('campaign');--> statement-breakpoint
-- A batch's outcomes in one statement. The batch must drive the join (a primary-key probe per row):
-- the claimed_by test is estimated at ~0 rows (the column is mostly null), so left alone the planner
-- walks the spool first and rescans the batch for each row, quadratic in the batch size. A row's
-- earlier note (handed out again after a crash, a retry) stays when it is sent.
CREATE FUNCTION "spool_record"(ids bigint[], states smallint[], provider_ids text[], errors text[], worker text) RETURNS integer
  LANGUAGE sql SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off AS $$
  WITH done AS (
    UPDATE spool s SET state = v.state, provider_message_id = v.provider_id, error = coalesce(v.error, s.error),
           processed_at = clock_timestamp()
      FROM unnest(ids, states, provider_ids, errors) AS v(id, state, provider_id, error)
     WHERE s.id = v.id AND s.state = 1 AND s.claimed_by = worker
    RETURNING 1)
  SELECT count(*)::integer FROM done
$$;
