import fs from "node:fs/promises";
import path from "node:path";
import type { Metadata } from "next";
import { notFound } from "next/navigation";

/** The repository's docs/<name>.md, shown as text (the /integrity page links here). */
const DOCS = ["integrity", "exports", "api", "retention", "operations", "analytics", "architecture"] as const;
type DocName = (typeof DOCS)[number];
const isDoc = (n: string): n is DocName => (DOCS as readonly string[]).includes(n);

export async function generateMetadata({ params }: { params: Promise<{ name: string }> }): Promise<Metadata> {
  const { name } = await params;
  return { title: isDoc(name) ? `Docs: ${name}` : "Docs" };
}

export default async function DocPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  if (!isDoc(name)) notFound();
  const text = await fs.readFile(path.join(process.cwd(), "docs", `${name}.md`), "utf8").catch(() => null);
  if (text === null) notFound();
  const title = /^# (.+)$/m.exec(text)?.[1] ?? name;
  return (
    <article className="max-w-4xl">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
        <code>docs/{name}.md</code> of this installation, as text.
      </p>
      <pre className="mt-4 whitespace-pre-wrap break-words rounded-md bg-slate-50 p-4 font-mono text-xs leading-relaxed dark:bg-slate-900" tabIndex={0} aria-label={`docs/${name}.md`}>
        {text.replace(/^# .+\n/, "")}
      </pre>
    </article>
  );
}
