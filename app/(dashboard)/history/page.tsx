import type { Metadata } from "next";
import { HistoryView } from "@/components/analytics/history-view";

export const metadata: Metadata = { title: "History" };

/** Compliance history charts (GET /api/v1/audit/history), state in the URL. */
export default function HistoryPage() {
  return <HistoryView />;
}
