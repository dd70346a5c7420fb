import type { Metadata } from "next";
import { EntryView } from "@/components/entry/entry-view";

export const metadata: Metadata = { title: "Entry" };

export default async function EntryPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return <EntryView id={decodeURIComponent(id)} />;
}
