-- CreateIndex
CREATE INDEX "audit_events_org_id_actor_type_timestamp_idx" ON "audit_events"("org_id", "actor_type", "timestamp" DESC);
