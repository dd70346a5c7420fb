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

/**
 * The SOC 2 controls (2017 Trust Services Criteria, common criteria) this service names anywhere —
 * evidence endpoint, evidence packages (README and manifest), the Exports page: a short name and a
 * one-line description, so an id such as "CC6.1" never stands alone.
 */
export const SOC2_CONTROLS = {
  "CC6.1": { name: "Logical access security software, infrastructure and architectures", description: "Access to protected information assets goes through logical access controls: who can sign in, with which credentials." },
  "CC6.2": { name: "Registration and authorization of new users", description: "New users and credentials are registered and authorized before access is granted." },
  "CC6.3": { name: "Role-based access: modification and removal", description: "Access is granted, changed and removed by role, following least privilege." },
  "CC6.6": { name: "Protection against threats from outside system boundaries", description: "Logical access measures protect against threats from sources outside the system's boundaries." },
  "CC6.8": { name: "Prevention and detection of unauthorized or malicious software", description: "Unauthorized or malicious software is prevented or detected and acted upon." },
  "CC7.1": { name: "Detection of configuration changes and new vulnerabilities", description: "Monitoring finds configuration changes that introduce vulnerabilities, and newly discovered vulnerabilities." },
  "CC7.2": { name: "Monitoring of system components for anomalies", description: "System components are monitored for anomalies that indicate malicious acts, errors or failures." },
  "CC7.3": { name: "Evaluation of security events", description: "Security events are evaluated to decide whether they are incidents that need a response." },
  "CC7.4": { name: "Response to security incidents", description: "Identified incidents are contained, remediated and communicated under a defined response program." },
  "CC8.1": { name: "Change management: authorize, design, test, approve and implement changes", description: "Changes to infrastructure, data, software and procedures are authorized, tested, approved and recorded." },
} as const satisfies Record<string, { name: string; description: string }>;

/** "CC6.1 Logical access security … — access to … ": an id with its name (and description), for text outputs. */
export function describeControl(id: string, withDescription = true): string {
  const c = (SOC2_CONTROLS as Record<string, { name: string; description: string }>)[id];
  return c ? `${id} ${c.name}${withDescription ? ` — ${c.description}` : ""}` : id;
}

const criterion = (id: keyof typeof SOC2_CONTROLS, categories: readonly EvidenceCategory[]): Soc2Criterion => ({ id, name: SOC2_CONTROLS[id].name, categories });

export const SOC2_CRITERIA: readonly Soc2Criterion[] = [
  criterion("CC6.1", [AUTH, ACCESS_CHANGES, CREDENTIALS]),
  criterion("CC6.2", [ACCESS_CHANGES, CREDENTIALS]),
  criterion("CC6.3", [ACCESS_CHANGES]),
  criterion("CC6.6", [AUTH, SCANS]),
  criterion("CC6.8", [SCANS, DETECTIONS, FIXES]),
  criterion("CC7.1", [SCANS, DETECTIONS, CONFIG]),
  criterion("CC7.2", [DETECTIONS, AUTH, AUDIT_ADMIN]),
  criterion("CC7.3", [RESPONSE]),
  criterion("CC8.1", [CONFIG, FIXES]),
];

export const SOC2_CRITERIA_IDS: readonly string[] = SOC2_CRITERIA.map((c) => c.id);

export function findCriterion(id: string): Soc2Criterion | undefined {
  const want = id.trim().toUpperCase();
  return SOC2_CRITERIA.find((c) => c.id === want);
}
