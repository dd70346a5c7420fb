"use client";

import { CalendarDays } from "lucide-react";
import { forwardRef, useRef } from "react";
import { usePreferences } from "@/components/preferences";
import { toFieldText } from "@/lib/client/zoned-dates";

export const dateInputClass = "w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 font-mono text-sm dark:border-slate-700 dark:bg-slate-900";

/**
 * THE date field of the dashboard (explorer range, log export, evidence period): ISO text
 * (`YYYY-MM-DD`, with `withTime` also ` HH:mm`) in the chosen zone (the label says which), a
 * placeholder from today, and a calendar button that opens the browser's picker. Works with
 * react-hook-form's `register` (ref, name, onChange) or as a controlled input (value/onChange).
 */
export const DateField = forwardRef<
  HTMLInputElement,
  {
    id: string;
    label: string;
    withTime?: boolean;
    /** Called with the picked value (field text) when the calendar picker is used. */
    onPick: (text: string) => void;
    error?: string;
    hint?: string;
    className?: string;
  } & Omit<React.InputHTMLAttributes<HTMLInputElement>, "id" | "type">
>(function DateField({ id, label, withTime, onPick, error, hint, className, ...input }, ref) {
  const { timeZone } = usePreferences();
  const picker = useRef<HTMLInputElement>(null);
  const placeholder = toFieldText(new Date(), timeZone, withTime);
  const describedBy = error ? `${id}-err` : hint ? `${id}-hint` : undefined;
  return (
    <div className={`text-sm ${className ?? ""}`} data-slot="date-field">
      <label htmlFor={id}>
        {label} <span className="text-slate-600 dark:text-slate-400">({timeZone === "utc" ? "UTC" : "local time"})</span>
      </label>
      <div className="mt-1 flex items-stretch gap-1">
        <input
          ref={ref}
          id={id}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          spellCheck={false}
          placeholder={placeholder}
          aria-invalid={!!error}
          aria-describedby={describedBy}
          className={dateInputClass}
          {...input}
        />
        <button
          type="button"
          aria-label="Open calendar"
          title="Pick from a calendar"
          className="rounded-md border border-slate-300 px-2 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          onClick={() => {
            const el = picker.current;
            if (!el) return;
            try {
              el.showPicker();
            } catch {
              el.focus();
            }
          }}
        >
          <CalendarDays className="h-4 w-4" aria-hidden />
        </button>
        <input
          ref={picker}
          type={withTime ? "datetime-local" : "date"}
          tabIndex={-1}
          aria-hidden
          aria-label="calendar picker"
          className="pointer-events-none absolute h-0 w-0 opacity-0"
          onChange={(e) => e.target.value && onPick(e.target.value.replace("T", " "))}
        />
      </div>
      {error ? (
        <p id={`${id}-err`} role="alert" className="mt-1 text-xs text-red-700 dark:text-red-400">{error}</p>
      ) : hint ? (
        <p id={`${id}-hint`} className="mt-1 text-xs text-slate-600 dark:text-slate-400">{hint}</p>
      ) : null}
    </div>
  );
});
