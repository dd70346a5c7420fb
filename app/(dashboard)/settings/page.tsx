import type { Metadata } from "next";
import Link from "next/link";

export const metadata: Metadata = { title: "Settings" };

const SECTIONS = [
  { href: "/settings/users", title: "Users", text: "People who can sign in to this org and their roles." },
  { href: "/settings/tokens", title: "API tokens", text: "Credentials for services that write or read audit events." },
  { href: "/settings/retention", title: "Retention", text: "How long events are kept, and legal holds." },
  { href: "/settings/streams", title: "Streams and alerts", text: "Deliver events to your SIEM (webhook, Splunk, Datadog, syslog); alert rules on saved queries." },
];

export default function SettingsPage() {
  return (
    <div className="max-w-3xl">
      <h1 className="text-2xl font-semibold tracking-tight">Settings</h1>
      <ul className="mt-6 grid gap-3 sm:grid-cols-2">
        {SECTIONS.map((s) => (
          <li key={s.href}>
            <Link href={s.href} className="block rounded-lg border border-slate-200 p-4 hover:border-indigo-400 dark:border-slate-800">
              <span className="font-medium">{s.title}</span>
              <span className="mt-1 block text-sm text-slate-600 dark:text-slate-300">{s.text}</span>
            </Link>
          </li>
        ))}
      </ul>
    </div>
  );
}
