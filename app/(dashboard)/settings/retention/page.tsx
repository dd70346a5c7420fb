import type { Metadata } from "next";
import { RetentionSettings } from "@/components/analytics/retention-settings";

export const metadata: Metadata = { title: "Retention" };

/** Retention policy and legal holds (admins; GET/PUT /api/v1/audit/retention, /api/v1/audit/legal-holds). */
export default function RetentionPage() {
  return <RetentionSettings />;
}
