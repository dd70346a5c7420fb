-- AlterTable
ALTER TABLE "memberships" ADD COLUMN     "last_login_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "invitations" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "accepted_at" TIMESTAMPTZ(3),
    "accepted_user_id" TEXT,

    CONSTRAINT "invitations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "invitations_token_hash_key" ON "invitations"("token_hash");

-- CreateIndex
CREATE INDEX "invitations_org_id_email_idx" ON "invitations"("org_id", "email");

-- AddForeignKey
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "orgs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_accepted_user_id_fkey" FOREIGN KEY ("accepted_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Custom SQL appended from prisma/sql/membership_last_login.sql (not expressible in schema.prisma)
-- memberships.last_login_at: the last sign-in INTO that org, so an org's admins never see a user's
-- activity in other orgs (issue 10, defect 3). Backfilled from each org's own audit log
-- (`user.login` events of that user, via the (org_id, actor_id, timestamp) index), never from the
-- global users.last_login_at, which mixes every org.
UPDATE memberships m
SET last_login_at = (
  SELECT max(e.timestamp) FROM audit_events e
  WHERE e.org_id = m.org_id AND e.actor_id = m.user_id AND e.action = 'user.login'
);
