import { Construction } from "lucide-react";

/** A page another issue fills: says so plainly, and what exists meanwhile. */
export function ComingSoon({ title, description, meanwhile }: { title: string; description: string; meanwhile?: React.ReactNode }) {
  return (
    <div className="mx-auto max-w-2xl py-10">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <div className="mt-6 rounded-lg border border-dashed border-slate-300 p-6 dark:border-slate-700" role="status">
        <div className="flex items-center gap-2 font-medium">
          <Construction className="h-5 w-5 text-amber-600 dark:text-amber-400" aria-hidden />
          Coming soon
        </div>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-300">{description}</p>
        {meanwhile && <div className="mt-3 text-sm text-slate-600 dark:text-slate-300">{meanwhile}</div>}
      </div>
    </div>
  );
}

/** Shown instead of a page the signed-in role may not use. */
export function Forbidden({ what }: { what: string }) {
  return (
    <div className="mx-auto max-w-2xl py-10" data-testid="forbidden">
      <h1 className="text-2xl font-semibold tracking-tight">Not allowed</h1>
      <p className="mt-3 text-slate-600 dark:text-slate-300">
        {what} is for admins of this org. Ask an admin to change your role, or switch to an org where you are an admin.
      </p>
    </div>
  );
}
