-- CreateTable
CREATE TABLE "audit_streams" (
    "org_id" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "destination_type" TEXT NOT NULL,
    "destination" JSONB NOT NULL,
    "secret_box" TEXT,
    "query" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL DEFAULT 'active',
    "pause_reason" TEXT,
    "cursor_seq" BIGINT NOT NULL DEFAULT 0,
    "failing_since" TIMESTAMPTZ(3),
    "failures" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "worker_id" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "deliveries" BIGINT NOT NULL DEFAULT 0,
    "events_delivered" BIGINT NOT NULL DEFAULT 0,
    "rate_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rate_count" INTEGER NOT NULL DEFAULT 0,
    "rate_previous" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,

    CONSTRAINT "audit_streams_pkey" PRIMARY KEY ("org_id","id")
);

-- CreateTable
CREATE TABLE "audit_alert_rules" (
    "org_id" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "query" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target" JSONB NOT NULL,
    "secret_box" TEXT,
    "throttle_seconds" INTEGER NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "cursor_seq" BIGINT NOT NULL DEFAULT 0,
    "pending_count" INTEGER NOT NULL DEFAULT 0,
    "pending_events" JSONB,
    "pending_from_seq" BIGINT,
    "pending_to_seq" BIGINT,
    "last_fired_at" TIMESTAMPTZ(3),
    "firings" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "worker_id" TEXT,
    "lease_until" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT NOT NULL,

    CONSTRAINT "audit_alert_rules_pkey" PRIMARY KEY ("org_id","id")
);

-- CreateTable
CREATE TABLE "audit_alert_firings" (
    "org_id" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "rule_id" TEXT NOT NULL,
    "fired_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "count" INTEGER NOT NULL,
    "from_seq" BIGINT NOT NULL,
    "to_seq" BIGINT NOT NULL,
    "events" JSONB NOT NULL,
    "delivered" BOOLEAN NOT NULL,
    "error" TEXT,

    CONSTRAINT "audit_alert_firings_pkey" PRIMARY KEY ("org_id","id")
);

-- CreateIndex
CREATE INDEX "audit_streams_status_next_attempt_at_idx" ON "audit_streams"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "audit_alert_rules_enabled_next_attempt_at_idx" ON "audit_alert_rules"("enabled", "next_attempt_at");

-- CreateIndex
CREATE INDEX "audit_alert_firings_org_id_rule_id_fired_at_idx" ON "audit_alert_firings"("org_id", "rule_id", "fired_at" DESC);

-- AddForeignKey
ALTER TABLE "audit_alert_firings" ADD CONSTRAINT "audit_alert_firings_org_id_rule_id_fkey" FOREIGN KEY ("org_id", "rule_id") REFERENCES "audit_alert_rules"("org_id", "id") ON DELETE CASCADE ON UPDATE NO ACTION;
