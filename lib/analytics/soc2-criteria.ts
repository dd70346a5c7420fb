/**
 * The ONE mapping from SOC 2 Trust Services Criteria to the audit event types that evidence them.
 * docs/analytics.md renders the same table; the evidence endpoint, its CSV artifacts and the page
 * all read it from here. Each criterion lists evidence categories; each category is one evidence
 * item (a count of matching events in the audit period, plus a CSV of them behind a signed link).
 */
export interface EvidenceCategory {
  /** Item type in the answer, e.g. "access_log". */
  type: string;
  title: string;
  description: string;
  /** Exact event types (actions) that make up this evidence. */
  eventTypes: readonly string[];
}

export interface Soc2Criterion {
  id: string;
  name: string;
  categories: readonly EvidenceCategory[];
}

const AUTH: EvidenceCategory = {
  type: "access_log",
  title: "Authentication Logs",
  description: "Sign-ins to the dashboard and the monitored systems",
  eventTypes: ["user.login", "user.logout", "session.created", "auth.sign_in", "auth.sign_out"],
};
const ACCESS_CHANGES: EvidenceCategory = {
  type: "access_review",
  title: "Access Grants and Revocations",
  description: "Every grant and revocation of user access, with who made it",
  eventTypes: ["access.granted", "access.revoked", "member.added", "member.removed", "member.role_changed", "user.created", "user.deleted"],
};
const CREDENTIALS: EvidenceCategory = {
  type: "credential_management",
  title: "API Credential Lifecycle",
  description: "API tokens created and revoked",
  eventTypes: ["token.created", "token.revoked"],
};
const SCANS: EvidenceCategory = {
  type: "vulnerability_scan",
  title: "Compliance and Vulnerability Scans",
  description: "Scans started and completed, with their scores",
  eventTypes: ["scan.started", "scan.completed"],
};
const DETECTIONS: EvidenceCategory = {
  type: "issue_detection",
  title: "Detected Issues",
  description: "Issues raised by scans and monitoring",
  eventTypes: ["issue.created"],
};
const RESPONSE: EvidenceCategory = {
  type: "incident_response",
  title: "Issue Triage and Resolution",
  description: "Issues triaged, updated and resolved",
  eventTypes: ["issue.updated", "issue.resolved"],
};
const FIXES: EvidenceCategory = {
  type: "remediation",
  title: "Remediations",
  description: "Fixes generated and applied to repositories",
  eventTypes: ["fix.generated", "fix.applied"],
};
const CONFIG: EvidenceCategory = {
  type: "change_log",
  title: "Configuration Changes",
  description: "Configuration and policy changes with before/after values",
  eventTypes: ["config.changed", "policy.update", "policy.updated", "retention.policy_updated"],
};
const AUDIT_ADMIN: EvidenceCategory = {
  type: "audit_log_governance",
  title: "Audit Log Governance",
  description: "Retention enforcement, legal holds and exports of the audit log",
  eventTypes: ["retention.policy_updated", "retention.enforced", "legal_hold.created", "legal_hold.released", "export.created", "export.downloaded"],
};

export const SOC2_CRITERIA: readonly Soc2Criterion[] = [
  { id: "CC6.1", name: "Logical access security software, infrastructure and architectures", categories: [AUTH, ACCESS_CHANGES, CREDENTIALS] },
  { id: "CC6.2", name: "Registration and authorization of new users", categories: [ACCESS_CHANGES, CREDENTIALS] },
  { id: "CC6.3", name: "Role-based access: modification and removal", categories: [ACCESS_CHANGES] },
  { id: "CC6.6", name: "Protection against threats from outside system boundaries", categories: [AUTH, SCANS] },
  { id: "CC6.8", name: "Prevention and detection of unauthorized or malicious software", categories: [SCANS, DETECTIONS, FIXES] },
  { id: "CC7.1", name: "Detection of configuration changes and new vulnerabilities", categories: [SCANS, DETECTIONS, CONFIG] },
  { id: "CC7.2", name: "Monitoring of system components for anomalies", categories: [DETECTIONS, AUTH, AUDIT_ADMIN] },
  { id: "CC7.3", name: "Evaluation of security events", categories: [RESPONSE] },
  { id: "CC8.1", name: "Change management: authorize, design, test, approve and implement changes", categories: [CONFIG, FIXES] },
];

export const SOC2_CRITERIA_IDS: readonly string[] = SOC2_CRITERIA.map((c) => c.id);

export function findCriterion(id: string): Soc2Criterion | undefined {
  const want = id.trim().toUpperCase();
  return SOC2_CRITERIA.find((c) => c.id === want);
}
