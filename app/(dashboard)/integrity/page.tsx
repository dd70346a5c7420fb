import type { Metadata } from "next";
import { IntegrityView } from "@/components/integrity/integrity-view";

export const metadata: Metadata = { title: "Integrity" };

/** Verify the org's hash chain (POST /api/v1/audit/verify) and show what was checked. */
export default function IntegrityPage() {
  return <IntegrityView />;
}
