-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN     "outcome" TEXT;

-- CreateIndex
CREATE INDEX "audit_events_org_id_outcome_timestamp_idx" ON "audit_events"("org_id", "outcome", "timestamp" DESC);
