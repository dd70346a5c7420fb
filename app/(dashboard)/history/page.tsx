import type { Metadata } from "next";
import { ComingSoon } from "@/components/shell/coming-soon";

export const metadata: Metadata = { title: "History" };

/** History charts: filled by the analytics issue. */
export default function HistoryPage() {
  return <ComingSoon title="History" description="Charts of compliance scores, issues and fixes over time arrive with the analytics work." />;
}
