-- CreateTable
CREATE TABLE "orgs" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "orgs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_tokens" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "scopes" TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_by" TEXT,

    CONSTRAINT "api_tokens_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_chain_heads" (
    "org_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL DEFAULT 0,
    "hash" TEXT,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_chain_heads_pkey" PRIMARY KEY ("org_id")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "org_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "id" TEXT NOT NULL,
    "timestamp" TIMESTAMPTZ(3) NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL,
    "actor_id" TEXT NOT NULL,
    "actor_type" TEXT NOT NULL,
    "actor_email" TEXT,
    "action" TEXT NOT NULL,
    "resource_type" TEXT NOT NULL,
    "resource_id" TEXT NOT NULL,
    "repository_id" TEXT,
    "repository_name" TEXT,
    "content" TEXT NOT NULL,
    "request_digest" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "previous_hash" TEXT,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("org_id","seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "orgs_slug_key" ON "orgs"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "api_tokens_token_hash_key" ON "api_tokens"("token_hash");

-- CreateIndex
CREATE INDEX "api_tokens_org_id_idx" ON "api_tokens"("org_id");

-- CreateIndex
CREATE INDEX "audit_events_org_id_timestamp_seq_idx" ON "audit_events"("org_id", "timestamp" DESC, "seq" DESC);

-- CreateIndex
CREATE INDEX "audit_events_org_id_action_timestamp_idx" ON "audit_events"("org_id", "action", "timestamp" DESC);

-- CreateIndex
CREATE INDEX "audit_events_org_id_actor_id_timestamp_idx" ON "audit_events"("org_id", "actor_id", "timestamp" DESC);

-- CreateIndex
CREATE INDEX "audit_events_org_id_actor_email_timestamp_idx" ON "audit_events"("org_id", "actor_email", "timestamp" DESC);

-- CreateIndex
CREATE INDEX "audit_events_org_id_resource_type_resource_id_timestamp_idx" ON "audit_events"("org_id", "resource_type", "resource_id", "timestamp" DESC);

-- CreateIndex
CREATE INDEX "audit_events_org_id_repository_id_timestamp_idx" ON "audit_events"("org_id", "repository_id", "timestamp" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_org_id_id_key" ON "audit_events"("org_id", "id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_org_id_previous_hash_key" ON "audit_events"("org_id", "previous_hash");

-- AddForeignKey
ALTER TABLE "api_tokens" ADD CONSTRAINT "api_tokens_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "orgs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_chain_heads" ADD CONSTRAINT "audit_chain_heads_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "orgs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "orgs"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Custom SQL appended from prisma/sql/append_only.sql (not expressible in schema.prisma)
-- audit_events is append-only for the application. UPDATE, DELETE and TRUNCATE are refused by the
-- database itself. ENABLE ALWAYS keeps the triggers active even under session_replication_role =
-- replica. The retention issue adds its one narrow path in a later migration.
CREATE OR REPLACE FUNCTION audit_events_refuse_change() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege', HINT = 'Audit events can only be inserted.';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_events_no_update_delete
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_no_update_delete;

CREATE TRIGGER audit_events_no_truncate
  BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
ALTER TABLE "audit_events" ENABLE ALWAYS TRIGGER audit_events_no_truncate;

-- The chain head may only move forward, one event at a time per appended event, never back.
CREATE OR REPLACE FUNCTION audit_chain_heads_forward_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'audit_chain_heads rows cannot be deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.seq < OLD.seq THEN
    RAISE EXCEPTION 'audit chain head cannot move backwards (% -> %)', OLD.seq, NEW.seq USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_chain_heads_guard
  BEFORE UPDATE OR DELETE ON "audit_chain_heads"
  FOR EACH ROW EXECUTE FUNCTION audit_chain_heads_forward_only();
ALTER TABLE "audit_chain_heads" ENABLE ALWAYS TRIGGER audit_chain_heads_guard;
