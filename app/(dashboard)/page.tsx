import type { Metadata } from "next";
import Link from "next/link";
import { ComingSoon } from "@/components/shell/coming-soon";

export const metadata: Metadata = { title: "Home" };

/** Home (statistics): filled by the analytics issue. */
export default function HomePage() {
  return (
    <ComingSoon
      title="Overview"
      description="Statistics for this org (events per day, top actors and actions, compliance trend) arrive with the analytics work."
      meanwhile={
        <>
          Meanwhile, investigate events in the{" "}
          <Link className="font-medium text-indigo-700 underline dark:text-indigo-300" href="/logs">
            Explorer
          </Link>
          .
        </>
      }
    />
  );
}
