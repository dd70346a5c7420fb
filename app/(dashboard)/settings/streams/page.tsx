import type { Metadata } from "next";
import { StreamsAdmin } from "@/components/streams/streams-admin";

export const metadata: Metadata = { title: "Streams and alerts" };

export default function StreamsPage() {
  return <StreamsAdmin />;
}
