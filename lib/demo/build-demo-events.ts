import type { EventInput } from "../audit/event-schema";

/** Deterministic PRNG (mulberry32): the same seed gives the same demo data. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}

const REPOS = [
  { id: "repo_web", name: "acme/web-app" },
  { id: "repo_api", name: "acme/api" },
  { id: "repo_mobile", name: "acme/mobile" },
] as const;
/** Who does what: engineers work on issues and fixes, security and ops edit policies, security grants access, the auditor only reads. */
const USERS = [
  { id: "user_alice", type: "user", email: "alice@acme.com", name: "Alice Developer" },
  { id: "user_bob", type: "user", email: "bob@acme.com", name: "Bob Builder" },
  { id: "user_carol", type: "user", email: "carol@acme.com", name: "Carol Security" },
  { id: "user_dave", type: "user", email: "dave@acme.com", name: "Dave Ops" },
  { id: "user_erin", type: "user", email: "erin@acme.com", name: "Erin Auditor" },
] as const;
const [ALICE, BOB, CAROL, DAVE, ERIN] = USERS;
/** People who triage and fix issues (not the auditor, not security's access admin). */
const ENGINEERS = [ALICE, BOB, DAVE] as const;
const SCANNER = { id: "system_scanner", type: "system", name: "Compliance Scanner" } as const;
const CI_BOT = { id: "svc_ci", type: "service_account", name: "CI pipeline" } as const;
const FIXER = { id: "system_autofix", type: "system", name: "AI Fix Engine" } as const;
const FRAMEWORKS = ["soc2", "gdpr", "hipaa", "iso27001"] as const;
const RULES = [
  { rule: "enc-at-rest", title: "Missing encryption for PII", req: "art_32", fix: "encryption" },
  { rule: "tls-min", title: "TLS 1.0 still enabled", req: "CC6.7", fix: "config" },
  { rule: "secret-in-repo", title: "Hard-coded secret in source", req: "CC6.1", fix: "secret_rotation" },
  { rule: "log-retention", title: "Audit log retention below policy", req: "164.312(b)", fix: "config" },
  { rule: "mfa-admin", title: "Admin accounts without MFA", req: "A.9.4.2", fix: "policy" },
  { rule: "dep-vuln", title: "Vulnerable dependency (critical CVE)", req: "CC7.1", fix: "dependency_upgrade" },
  { rule: "s3-public", title: "Public storage bucket", req: "CC6.6", fix: "config" },
] as const;
const IPS = ["203.0.113.10", "203.0.113.24", "198.51.100.7", "192.0.2.44", "2001:db8::17"] as const;
const AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
  "acme-cli/2.4.1 (linux; amd64)",
] as const;

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };
interface PolicyDef {
  id: string;
  name: string;
  repo: (typeof REPOS)[number];
  editors: readonly (typeof USERS)[number][];
  /** Each setting's possible values (the first is the initial one); an edit moves a setting from its current value to another. */
  fields: Record<string, readonly Json[]>;
}
/** Each policy has its own settings and its own wording: an edit always fits the policy it changes. */
const POLICIES: readonly PolicyDef[] = [
  {
    id: "policy_block_critical", name: "Block Critical Vulns", repo: REPOS[0], editors: [CAROL],
    fields: {
      action: ["monitor", "block"],
      severity_threshold: ["critical", "high", "medium"],
      description: ["Reports deploys with critical vulnerabilities", "Blocks deploys with critical vulnerabilities", "Blocks deploys with critical or high vulnerabilities in production"],
    },
  },
  {
    id: "policy_scan_schedule", name: "Scan schedule", repo: REPOS[1], editors: [DAVE, CAROL],
    fields: {
      scan_schedule: ["weekly", "daily", "every 6 hours"],
      frameworks: [["soc2", "gdpr"], ["soc2", "gdpr", "hipaa"], ["soc2", "gdpr", "hipaa", "iso27001"]],
      description: ["Scans every repository on a schedule", "Scans every repository on a schedule and on every push to main"],
    },
  },
  {
    id: "policy_branch_protection", name: "Branch protection", repo: REPOS[2], editors: [ALICE, DAVE],
    fields: {
      branch_protection: [{ required_reviews: 1, dismiss_stale: false }, { required_reviews: 2, dismiss_stale: true }, { required_reviews: 2, dismiss_stale: false }, { required_reviews: 3, dismiss_stale: true }],
      description: ["Protects main: reviews required before merge", "Protects main and release branches: reviews required, stale approvals dismissed"],
    },
  },
  {
    id: "policy_network_allow_list", name: "Network allow-list", repo: REPOS[1], editors: [DAVE],
    fields: {
      allowed_ips: [["203.0.113.0/24"], ["203.0.113.0/24", "198.51.100.0/24"], ["203.0.113.0/24", "198.51.100.0/24", "192.0.2.0/24"], ["198.51.100.0/24"]],
      description: ["Office network only", "Office network and the VPN egress range"],
    },
  },
  {
    id: "policy_admin_mfa", name: "Admin MFA", repo: REPOS[0], editors: [CAROL],
    fields: {
      mfa_required_for: ["admins", "admins and auditors", "everyone"],
      grace_period_days: [14, 7, 0],
    },
  },
];

const DAY = 86_400_000;

/**
 * Builds the demo events for org `acme`: six months of scans with scores trending upward, issue
 * lifecycles, fixes, configuration changes with before/after values, access changes and sign-ins.
 * Deterministic for a given seed and end date.
 */
export function buildDemoEvents(opts: { seed?: number; end: Date; days?: number }): EventInput[] {
  const r = rng(opts.seed ?? 42);
  const days = opts.days ?? 182;
  const start = opts.end.getTime() - days * DAY;
  const out: (EventInput & { t: number })[] = [];
  let n = 0;
  const id = (kind: string) => `${kind}_${(++n).toString(36).padStart(6, "0")}`;
  const human = () => r.pick(USERS);
  const engineer = () => r.pick(ENGINEERS);
  // The current settings of each policy and each person's role per repository: every change starts from them.
  const policyState = new Map(POLICIES.map((p) => [p.id, Object.fromEntries(Object.entries(p.fields).map(([k, vs]) => [k, vs[0]!])) as Record<string, Json>]));
  const access = new Map<string, string>();
  const ctx = () => ({ ip_address: r.pick(IPS), user_agent: r.pick(AGENTS), session_id: `sess_${r.int(1000, 9999)}`, request_id: `req_${r.int(100000, 999999).toString(16)}` });
  const iso = (t: number) => new Date(Math.min(t, opts.end.getTime() - 1000)).toISOString();
  const push = (t: number, e: EventInput) => out.push({ ...e, t, id: id("log"), timestamp: iso(t) });

  const open = new Map<string, { issueId: string; repo: (typeof REPOS)[number]; fw: string; rule: (typeof RULES)[number] }>();
  for (let d = 0; d < days; d++) {
    const dayStart = start + d * DAY;
    const progress = d / days;
    // Scans: every repo × framework every 3-4 days; scores climb from ~60 to ~92 with noise.
    for (const repo of REPOS) {
      for (const fw of FRAMEWORKS) {
        if ((d + repo.id.length + fw.length) % 3 !== 0 && !r.chance(0.15)) continue;
        const t = dayStart + r.int(1, 5) * 3_600_000 + r.int(0, 3_599_999);
        const scanId = id("scan");
        const base = 60 + progress * 30 + (fw === "soc2" ? 4 : fw === "hipaa" ? -3 : 0);
        const score = Math.max(0, Math.min(100, Math.round(base + (r.next() - 0.5) * 6)));
        const resource = { type: "scan", id: scanId, name: `${fw.toUpperCase()} scan of ${repo.name}` };
        const byCi = r.chance(0.2);
        push(t, { actor: byCi ? CI_BOT : SCANNER, action: "scan.started", resource, repository: repo, details: { framework: fw, trigger: byCi ? "push" : "schedule" } });
        const found = r.int(0, Math.max(1, Math.round(8 * (1 - progress))));
        if (r.chance(0.03)) {
          // A scan that could not finish: no score, nothing found.
          push(t + r.int(60, 900) * 1000, { actor: byCi ? CI_BOT : SCANNER, action: "scan.failed", outcome: "failure", resource, repository: repo, details: { framework: fw, error: r.pick(["timeout cloning the repository", "scanner image pull failed", "rate limited by the Git host"]) } });
          continue;
        }
        push(t + r.int(60, 900) * 1000, { actor: SCANNER, action: "scan.completed", outcome: "success", resource, repository: repo, details: { framework: fw, score, issues_found: found, duration_s: r.int(40, 600) } });
        // New issues found by the scan.
        for (let k = 0; k < found; k++) {
          const rule = r.pick(RULES);
          const issueId = id("issue");
          const ti = t + 1_000_000 + k * 1000;
          push(ti, {
            actor: SCANNER,
            action: "issue.created",
            resource: { type: "issue", id: issueId, name: rule.title },
            repository: repo,
            details: { framework: fw, severity: r.pick(["low", "medium", "high", "critical"]), rule: rule.rule, requirement: rule.req, scan_id: scanId },
          });
          open.set(issueId, { issueId, repo, fw, rule });
        }
      }
    }
    // Work on open issues: triage, fixes, resolution (more as time goes on).
    for (const issue of [...open.values()]) {
      if (!r.chance(0.08 + progress * 0.12)) continue;
      const user = engineer();
      const t = dayStart + r.int(8, 18) * 3_600_000 + r.int(0, 3_599_999);
      const resource = { type: "issue", id: issue.issueId, name: issue.rule.title };
      push(t, {
        actor: user, action: "issue.updated", resource, repository: issue.repo,
        changes: { status: { old: "open", new: "in_progress" }, assignee: { old: null, new: user.email } },
        details: { framework: issue.fw }, ...ctx(),
      });
      const fixId = id("fix");
      push(t + 600_000, { actor: FIXER, action: "fix.generated", resource: { type: "fix", id: fixId, issue_id: issue.issueId }, repository: issue.repo, details: { framework: issue.fw, fix_type: issue.rule.fix, confidence: Math.round(r.next() * 40 + 60) / 100 } });
      const pr = r.int(100, 4000);
      push(t + 3_600_000, {
        actor: user, action: "fix.applied", outcome: "success", resource: { type: "fix", id: fixId, issue_id: issue.issueId }, repository: issue.repo,
        details: { framework: issue.fw, requirement: issue.rule.req, fix_type: issue.rule.fix, files_changed: [`src/${issue.rule.rule}.ts`, "config/security.yaml"], pull_request: { url: `https://github.com/${issue.repo.name}/pull/${pr}`, number: pr } },
        ...ctx(),
      });
      push(t + 3_700_000, {
        actor: user, action: "issue.resolved", resource, repository: issue.repo,
        changes: { status: { old: "in_progress", new: "fixed" } },
        details: { framework: issue.fw, previous_status: "in_progress", new_status: "fixed", fix_method: "pull_request", pr_number: pr }, ...ctx(),
      });
      open.delete(issue.issueId);
    }
    // Sign-ins.
    const logins = r.int(60, 90);
    for (let k = 0; k < logins; k++) {
      const user = human();
      // About 4 % of sign-ins fail (wrong password, expired SSO assertion) and 1 % are denied (account locked, MFA rejected).
      const roll = r.next();
      const outcome = roll < 0.04 ? "failure" : roll < 0.05 ? "denied" : "success";
      const reason: Record<string, Json> = outcome === "failure" ? { reason: r.pick(["invalid_password", "sso_assertion_expired"]) } : outcome === "denied" ? { reason: r.pick(["account_locked", "mfa_rejected"]) } : {};
      push(dayStart + r.int(0, DAY - 1), { actor: user, action: "user.login", outcome, resource: { type: "user", id: user.id, name: user.email }, details: { method: r.pick(["password", "sso", "sso", "passkey"]), mfa: r.chance(0.9), ...reason }, ...ctx() });
    }
    // Policy edits: one of the policy's editors moves one or two of ITS settings from their current value to another.
    if (r.chance(0.5)) {
      const policy = r.pick(POLICIES);
      const state = policyState.get(policy.id)!;
      const keys = Object.keys(policy.fields);
      const picked = r.chance(0.25) && keys.length > 1 ? [...new Set([r.pick(keys), r.pick(keys)])] : [r.pick(keys)];
      const changes: Record<string, { old: Json; new: Json }> = {};
      for (const k of picked) {
        const current = state[k]!;
        const next = r.pick(policy.fields[k]!.filter((v) => JSON.stringify(v) !== JSON.stringify(current)));
        changes[k] = { old: current, new: next };
        state[k] = next;
      }
      const at = dayStart + r.int(9, 17) * 3_600_000;
      if (r.chance(0.15)) {
        // The CI pipeline's token tried to change the policy first: service accounts may not edit policies.
        push(at - r.int(5, 60) * 60_000, {
          actor: CI_BOT, action: "config.changed", outcome: "denied", resource: { type: "policy", id: policy.id, name: policy.name },
          repository: policy.repo, details: { reason: "service accounts cannot change policies", attempted_fields: picked },
        });
      }
      push(at, {
        actor: r.pick(policy.editors), action: "config.changed", outcome: "success", resource: { type: "policy", id: policy.id, name: policy.name },
        repository: policy.repo, changes, ...ctx(),
      });
    }
    // Access changes: security (Carol) grants and revokes roles per repository, from each person's current role.
    if (r.chance(0.25)) {
      const target = r.pick([ALICE, BOB, DAVE, ERIN]);
      const repo = r.pick(REPOS);
      const key = `${target.id}/${repo.id}`;
      const current = access.get(key) ?? null;
      const granted = current === null || (current === "viewer" && target !== ERIN && r.chance(0.6));
      const next = granted ? (target === ERIN ? "auditor" : current === null ? "viewer" : "admin") : null;
      if (next === null) access.delete(key);
      else access.set(key, next);
      if (r.chance(0.1)) {
        // An engineer tried to raise their own role: only security grants access.
        const self = r.pick(ENGINEERS);
        push(dayStart + r.int(9, 17) * 3_600_000 - 3_600_000, {
          actor: self, action: "access.granted", outcome: "denied", resource: { type: "user", id: self.id, name: self.email },
          repository: repo, details: { reason: "only security administrators grant roles", requested_role: "admin" }, ...ctx(),
        });
      }
      push(dayStart + r.int(9, 17) * 3_600_000, {
        actor: CAROL, action: granted ? "access.granted" : "access.revoked", outcome: "success", resource: { type: "user", id: target.id, name: target.email },
        repository: repo, changes: { role: { old: current, new: next } },
        details: { reason: granted ? "Quarterly access review" : "Offboarding from the repository" }, ...ctx(),
      });
    }
    // Deploys requested by the CI pipeline: most go out, some are blocked by the "Block Critical Vulns"
    // policy while a critical issue is open (denied), some fail their health check (failure).
    for (const repo of REPOS) {
      if (!r.chance(0.45)) continue;
      const t = dayStart + r.int(10, 20) * 3_600_000 + r.int(0, 3_599_999);
      const critical = [...open.values()].some((i) => i.repo.id === repo.id && i.rule.rule === "dep-vuln");
      const roll = r.next();
      const outcome = critical && roll < 0.6 ? "denied" : roll < 0.08 ? "failure" : "success";
      push(t, {
        actor: CI_BOT, action: "deploy.requested", outcome, resource: { type: "deployment", id: id("deploy"), name: `${repo.name} to production` }, repository: repo,
        details: {
          environment: "production",
          commit: r.int(0x1000000, 0xfffffff).toString(16),
          ...(outcome === "denied" && { reason: "Blocked by policy Block Critical Vulns: an open critical vulnerability" }),
          ...(outcome === "failure" && { error: r.pick(["health check failed after rollout", "migration step timed out"]) }),
        },
      });
    }
  }
  out.sort((a, b) => a.t - b.t);
  return out.map(({ t: _t, ...e }) => e);
}
