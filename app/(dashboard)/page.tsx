import type { Metadata } from "next";
import { StatisticsOverview } from "@/components/analytics/statistics-overview";

export const metadata: Metadata = { title: "Home" };

/** Home: statistics of the org's audit events (GET /api/v1/audit/statistics). */
export default function HomePage() {
  return <StatisticsOverview />;
}
