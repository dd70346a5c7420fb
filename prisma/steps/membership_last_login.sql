-- memberships.last_login_at: the last sign-in INTO that org, so an org's admins never see a user's
-- activity in other orgs (issue 10, defect 3). Backfilled from each org's own audit log
-- (`user.login` events of that user, via the (org_id, actor_id, timestamp) index), never from the
-- global users.last_login_at, which mixes every org.
UPDATE memberships m
SET last_login_at = (
  SELECT max(e.timestamp) FROM audit_events e
  WHERE e.org_id = m.org_id AND e.actor_id = m.user_id AND e.action = 'user.login'
);
