import type { Metadata } from "next";
import { ComingSoon } from "@/components/shell/coming-soon";

export const metadata: Metadata = { title: "Retention" };

/** Retention settings: filled by the retention issue. */
export default function RetentionPage() {
  return <ComingSoon title="Retention" description="Retention periods and legal holds for this org arrive with the retention work." />;
}
