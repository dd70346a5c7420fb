"use client";

import { Bell, Radio } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";
import { CopyButton } from "@/components/entry/copy-button";
import { Time } from "@/components/time";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import {
  useAlertRules, useCreateAlertRule, useCreateStream, useDeleteAlertRule, useDeleteStream, useReplayStream, useStreams, useTestStream, useUpdateAlertRule, useUpdateStream,
  type AlertRuleJson, type StreamJson,
} from "@/lib/client/use-streams";

const input = "mt-1 w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-900";
const smallButton = "rounded-md border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:hover:bg-slate-800";
const dangerButton = "rounded-md border border-rose-300 px-2 py-0.5 text-xs text-rose-800 hover:bg-rose-50 dark:border-rose-800 dark:text-rose-200 dark:hover:bg-rose-950";
const primary = "rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-700 disabled:opacity-60";

const STATUS_STYLE: Record<StreamJson["status"], string> = {
  active: "bg-emerald-100 text-emerald-900 dark:bg-emerald-950 dark:text-emerald-200",
  paused: "bg-slate-200 text-slate-800 dark:bg-slate-800 dark:text-slate-200",
  failing: "bg-rose-100 text-rose-900 dark:bg-rose-950 dark:text-rose-200",
};

function destinationText(d: StreamJson["destination"]): string {
  if (d.type === "syslog") return `syslog ${d.tls ? "TLS" : "TCP"} ${d.host}:${d.port}`;
  const label = { webhook: "Webhook", splunk_hec: "Splunk HEC", datadog: "Datadog" }[d.type];
  return `${label} ${d.url ?? "(default intake)"}`;
}

function SecretNotice({ secret, what, onClose }: { secret: string; what: string; onClose: () => void }) {
  return (
    <div role="status" className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100" data-testid="new-secret">
      <p className="font-medium">Copy the signing secret of {what} now: it will not be shown again. Receivers check <code>X-Audit-Signature: sha256=HMAC(secret, body)</code>.</p>
      <p className="mt-1 flex items-center gap-1 break-all font-mono">{secret}<CopyButton value={secret} label="signing secret" /></p>
      <button type="button" className={`${smallButton} mt-2`} onClick={onClose}>Done</button>
    </div>
  );
}

function StreamRow({ s }: { s: StreamJson }) {
  const update = useUpdateStream();
  const test = useTestStream();
  const replay = useReplayStream();
  const del = useDeleteStream();
  const [fromSeq, setFromSeq] = useState("");
  const paused = s.status === "paused";
  return (
    <tr className="border-b border-slate-100 align-top dark:border-slate-800/60" data-testid={`stream-${s.name}`}>
      <td className="py-2 pr-3">
        <div className="font-medium">{s.name}</div>
        <div className="break-all text-xs text-slate-500 dark:text-slate-400">{destinationText(s.destination)}</div>
        {s.query && <div className="mt-0.5 font-mono text-xs">{s.query}</div>}
      </td>
      <td className="py-2 pr-3">
        <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${STATUS_STYLE[s.status]}`} data-testid="stream-status">{s.status}</span>
        {s.pause_reason && <div className="mt-1 max-w-xs text-xs text-slate-600 dark:text-slate-300">{s.pause_reason}</div>}
      </td>
      <td className="py-2 pr-3 tabular-nums" data-testid="stream-lag">
        {s.lag_events.toLocaleString("en-US")} events
        <div className="text-xs text-slate-500 dark:text-slate-400">{s.lag_seconds.toLocaleString("en-US")} s behind · cursor {s.cursor_seq}</div>
      </td>
      <td className="py-2 pr-3 text-xs">
        {s.last_success_at ? <Time value={s.last_success_at} /> : "never"}
        <div className="tabular-nums text-slate-500 dark:text-slate-400">{s.deliveries_per_second} deliveries/s · {s.events_delivered.toLocaleString("en-US")} events</div>
      </td>
      <td className="max-w-xs py-2 pr-3 text-xs text-rose-800 dark:text-rose-300" data-testid="stream-error">
        {s.last_error ? (
          <>
            {s.last_error}
            {s.last_error_at && <div className="text-slate-500 dark:text-slate-400"><Time value={s.last_error_at} /></div>}
          </>
        ) : (
          <span className="text-slate-500 dark:text-slate-400">none</span>
        )}
      </td>
      <td className="py-2">
        <div className="flex flex-wrap justify-end gap-1">
          <button type="button" className={smallButton} disabled={update.isPending} onClick={() => update.mutate({ id: s.id, patch: { status: paused ? "active" : "paused" } }, { onError: (e) => toast.error(e.message) })}>
            {paused ? "Resume" : "Pause"}
          </button>
          <button
            type="button"
            className={smallButton}
            disabled={test.isPending}
            onClick={() =>
              test.mutate(s.id, {
                onSuccess: (r) => (r.delivered ? toast.success(`Test event delivered to ${s.name} (${r.status ?? "ok"}, ${r.duration_ms} ms)`) : toast.error(`Test event to ${s.name} failed: ${r.error}`)),
                onError: (e) => toast.error(e.message),
              })
            }
          >
            Send test event
          </button>
          <ConfirmDialog
            title={`Delete “${s.name}”?`}
            description="Deliveries stop at once; the destination keeps what it received."
            confirmLabel="Delete"
            onConfirm={() => del.mutate(s.id, { onError: (e) => toast.error(e.message) })}
            trigger={<button type="button" className={dangerButton}>Delete</button>}
          />
        </div>
        <form
          className="mt-1 flex justify-end gap-1"
          onSubmit={(e) => {
            e.preventDefault();
            const n = Number(fromSeq);
            if (!Number.isInteger(n) || n < 1) return toast.error("Replay: give a seq of 1 or more");
            replay.mutate({ id: s.id, body: { from_seq: n } }, { onSuccess: () => toast.success(`${s.name} replays from seq ${n}`), onError: (err) => toast.error(err.message) });
          }}
        >
          <label className="sr-only" htmlFor={`replay-${s.id}`}>Replay {s.name} from seq</label>
          <input id={`replay-${s.id}`} className="w-24 rounded-md border border-slate-300 bg-white px-1.5 py-0.5 text-xs dark:border-slate-700 dark:bg-slate-900" inputMode="numeric" placeholder="from seq" value={fromSeq} onChange={(e) => setFromSeq(e.target.value)} />
          <button type="submit" className={smallButton} disabled={replay.isPending}>Replay</button>
        </form>
      </td>
    </tr>
  );
}

type DestType = "webhook" | "splunk_hec" | "datadog" | "syslog";

function CreateStreamForm({ onSecret }: { onSecret: (s: { name: string; secret: string }) => void }) {
  const create = useCreateStream();
  const [f, setF] = useState({ name: "", type: "webhook" as DestType, url: "", host: "", port: "514", tls: false, token: "", query: "" });
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setF({ ...f, [k]: e.target.type === "checkbox" ? (e.target as HTMLInputElement).checked : e.target.value });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const destination =
      f.type === "syslog"
        ? { type: f.type, host: f.host, port: Number(f.port), tls: f.tls }
        : f.type === "webhook"
          ? { type: f.type, url: f.url }
          : { type: f.type, ...(f.url && { url: f.url }), token: f.token };
    create.mutate(
      { name: f.name, destination, ...(f.query.trim() && { query: f.query }) },
      {
        onSuccess: (s) => {
          setError(null);
          if (s.secret) onSecret({ name: s.name, secret: s.secret });
          toast.success(`Stream ${s.name} created`);
          setF({ ...f, name: "", url: "", token: "", query: "" });
        },
        onError: (err) => setError(err.message),
      },
    );
  };
  return (
    <form onSubmit={submit} noValidate className="mt-3 grid gap-3 sm:grid-cols-2" aria-label="Create a stream">
      <label className="text-sm">Name<input className={input} value={f.name} onChange={set("name")} placeholder="e.g. splunk-prod" /></label>
      <label className="text-sm">
        Destination
        <select className={input} value={f.type} onChange={set("type")}>
          <option value="webhook">HTTPS webhook (signed JSON)</option>
          <option value="splunk_hec">Splunk HTTP Event Collector</option>
          <option value="datadog">Datadog logs</option>
          <option value="syslog">Syslog (RFC 5424 over TCP/TLS)</option>
        </select>
      </label>
      {f.type === "syslog" ? (
        <>
          <label className="text-sm">Host<input className={input} value={f.host} onChange={set("host")} placeholder="syslog.example.com" /></label>
          <div className="flex items-end gap-3">
            <label className="text-sm">Port<input className={input} inputMode="numeric" value={f.port} onChange={set("port")} /></label>
            <label className="flex items-center gap-1.5 pb-2 text-sm"><input type="checkbox" checked={f.tls} onChange={set("tls")} /> TLS</label>
          </div>
        </>
      ) : (
        <label className="text-sm sm:col-span-2">URL{f.type === "datadog" && " (optional: default US1 intake)"}<input className={input} value={f.url} onChange={set("url")} placeholder={f.type === "splunk_hec" ? "https://splunk.example.com:8088" : "https://siem.example.com/audit"} /></label>
      )}
      {(f.type === "splunk_hec" || f.type === "datadog") && (
        <label className="text-sm sm:col-span-2">{f.type === "splunk_hec" ? "HEC token" : "API key"}<input className={input} type="password" autoComplete="off" value={f.token} onChange={set("token")} /></label>
      )}
      <label className="text-sm sm:col-span-2">Filter (explorer query, empty = every event)<input className={`${input} font-mono`} value={f.query} onChange={set("query")} placeholder="action:policy.* -actor_type:system" /></label>
      {error && <p role="alert" className="text-sm text-rose-700 sm:col-span-2 dark:text-rose-300">{error}</p>}
      <div className="sm:col-span-2"><button type="submit" disabled={create.isPending} className={primary}>Create stream</button></div>
    </form>
  );
}

function RuleRow({ r, streams }: { r: AlertRuleJson; streams: StreamJson[] }) {
  const update = useUpdateAlertRule();
  const del = useDeleteAlertRule();
  const target = r.target.type === "stream" ? `stream ${streams.find((s) => s.id === r.target.stream_id)?.name ?? r.target.stream_id}` : `webhook ${r.target.url}`;
  const last = r.recent_firings[0];
  return (
    <tr className="border-b border-slate-100 align-top dark:border-slate-800/60" data-testid={`rule-${r.name}`}>
      <td className="py-2 pr-3"><div className="font-medium">{r.name}</div><div className="font-mono text-xs">{r.query}</div></td>
      <td className="break-all py-2 pr-3 text-xs">{target}<div className="text-slate-500 dark:text-slate-400">at most one per {r.throttle_seconds} s</div></td>
      <td className="py-2 pr-3 text-xs" data-testid="rule-firings">
        {r.firings} firing{r.firings === 1 ? "" : "s"}
        {last && <div>last: {last.count} match{last.count === 1 ? "" : "es"}, <Time value={last.fired_at} />{!last.delivered && <span className="text-rose-700 dark:text-rose-300"> (not delivered: {last.error})</span>}</div>}
        {r.pending_count > 0 && <div className="text-amber-700 dark:text-amber-300">{r.pending_count} waiting for the next window</div>}
      </td>
      <td className="py-2">
        <div className="flex flex-wrap justify-end gap-1">
          <button type="button" className={smallButton} onClick={() => update.mutate({ id: r.id, patch: { enabled: !r.enabled } }, { onError: (e) => toast.error(e.message) })}>{r.enabled ? "Disable" : "Enable"}</button>
          <ConfirmDialog title={`Delete rule “${r.name}”?`} description="It stops firing; its firings stay in the audit log." confirmLabel="Delete" onConfirm={() => del.mutate(r.id, { onError: (e) => toast.error(e.message) })} trigger={<button type="button" className={dangerButton}>Delete</button>} />
        </div>
      </td>
    </tr>
  );
}

function CreateRuleForm({ streams, onSecret }: { streams: StreamJson[]; onSecret: (s: { name: string; secret: string }) => void }) {
  const create = useCreateAlertRule();
  const [f, setF] = useState({ name: "", query: "", targetType: "stream", streamId: "", url: "", throttle: "300" });
  const [error, setError] = useState<string | null>(null);
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setF({ ...f, [k]: e.target.value });
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    const target = f.targetType === "stream" ? { type: "stream", stream_id: f.streamId || streams[0]?.id || "" } : { type: "webhook", url: f.url };
    create.mutate(
      { name: f.name, query: f.query, target, throttle_seconds: Number(f.throttle) },
      {
        onSuccess: (r) => {
          setError(null);
          if (r.secret) onSecret({ name: r.name, secret: r.secret });
          toast.success(`Alert rule ${r.name} created`);
          setF({ ...f, name: "", query: "" });
        },
        onError: (err) => setError(err.message),
      },
    );
  };
  return (
    <form onSubmit={submit} noValidate className="mt-3 grid gap-3 sm:grid-cols-2" aria-label="Create an alert rule">
      <label className="text-sm">Rule name<input className={input} value={f.name} onChange={set("name")} placeholder="e.g. MFA disabled" /></label>
      <label className="text-sm">At most one notification per (seconds)<input className={input} inputMode="numeric" value={f.throttle} onChange={set("throttle")} /></label>
      <label className="text-sm sm:col-span-2">Saved query<input className={`${input} font-mono`} value={f.query} onChange={set("query")} placeholder="action:user.mfa_disabled" /></label>
      <label className="text-sm">
        Notify
        <select className={input} value={f.targetType} onChange={set("targetType")}>
          <option value="stream">through a stream&apos;s destination</option>
          <option value="webhook">a webhook (e-mail relay, chat…)</option>
        </select>
      </label>
      {f.targetType === "stream" ? (
        <label className="text-sm">
          Stream
          <select className={input} value={f.streamId || streams[0]?.id || ""} onChange={set("streamId")}>
            {streams.length === 0 && <option value="">(create a stream first)</option>}
            {streams.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </label>
      ) : (
        <label className="text-sm">Webhook URL<input className={input} value={f.url} onChange={set("url")} placeholder="https://hooks.example.com/audit" /></label>
      )}
      {error && <p role="alert" className="text-sm text-rose-700 sm:col-span-2 dark:text-rose-300">{error}</p>}
      <div className="sm:col-span-2"><button type="submit" disabled={create.isPending} className={primary}>Create alert rule</button></div>
    </form>
  );
}

/** Settings → Streams: log streams to SIEMs (status, lag, last success/error, deliveries/s; create, pause/resume, test, replay) and alert rules. */
export function StreamsAdmin() {
  const streams = useStreams();
  const rules = useAlertRules();
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const list = streams.data ?? [];
  return (
    <div className="max-w-6xl">
      <h1 className="text-2xl font-semibold tracking-tight">Streams and alerts</h1>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">
        Each stream delivers this org&apos;s events in order, at least once, from a cursor kept in the database; every event carries <code>seq</code>, <code>hash</code> and <code>previous_hash</code> so the receiver can check that nothing is missing.
      </p>
      {secret && <SecretNotice secret={secret.secret} what={`“${secret.name}”`} onClose={() => setSecret(null)} />}
      <section aria-labelledby="streams-h" className="mt-6">
        <h2 id="streams-h" className="flex items-center gap-2 text-lg font-medium"><Radio className="h-5 w-5" aria-hidden />Streams</h2>
        {streams.isPending && <div role="status" aria-label="Loading streams" className="mt-3 h-24 animate-pulse rounded-md bg-slate-100 dark:bg-slate-800" />}
        {streams.isError && <p role="alert" className="mt-3 text-rose-700 dark:text-rose-300">Could not load streams: {streams.error.message}. Reload to try again.</p>}
        {streams.data && list.length === 0 && <p className="mt-3 text-sm text-slate-600 dark:text-slate-300">No streams yet. Create one below to send events to your SIEM.</p>}
        {list.length > 0 && (
          <div className="mt-3 overflow-x-auto">
            <table className="w-full min-w-[60rem] text-left text-sm">
              <thead className="border-b border-slate-200 text-slate-500 dark:border-slate-800 dark:text-slate-400">
                <tr><th className="py-2 pr-3 font-medium">Stream</th><th className="py-2 pr-3 font-medium">Status</th><th className="py-2 pr-3 font-medium">Lag</th><th className="py-2 pr-3 font-medium">Last success</th><th className="py-2 pr-3 font-medium">Last error</th><th className="py-2"><span className="sr-only">Actions</span></th></tr>
              </thead>
              <tbody>{list.map((s) => <StreamRow key={s.id} s={s} />)}</tbody>
            </table>
          </div>
        )}
        <h3 className="mt-6 font-medium">Create a stream</h3>
        <CreateStreamForm onSecret={setSecret} />
      </section>
      <section aria-labelledby="rules-h" className="mt-10">
        <h2 id="rules-h" className="flex items-center gap-2 text-lg font-medium"><Bell className="h-5 w-5" aria-hidden />Alert rules</h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-300">When new events match a saved query: one notification per window with the count, the first matching events and a link into the explorer.</p>
        {rules.isError && <p role="alert" className="mt-3 text-rose-700 dark:text-rose-300">Could not load alert rules: {rules.error.message}.</p>}
        {rules.data && rules.data.length === 0 && <p className="mt-3 text-sm text-slate-600 dark:text-slate-300">No alert rules yet.</p>}
        {rules.data && rules.data.length > 0 && (
          <div className="mt-3 overflow-x-auto">
            <table className="w-full min-w-[48rem] text-left text-sm">
              <thead className="border-b border-slate-200 text-slate-500 dark:border-slate-800 dark:text-slate-400">
                <tr><th className="py-2 pr-3 font-medium">Rule</th><th className="py-2 pr-3 font-medium">Target</th><th className="py-2 pr-3 font-medium">Firings</th><th className="py-2"><span className="sr-only">Actions</span></th></tr>
              </thead>
              <tbody>{rules.data.map((r) => <RuleRow key={r.id} r={r} streams={list} />)}</tbody>
            </table>
          </div>
        )}
        <h3 className="mt-6 font-medium">Create an alert rule</h3>
        <CreateRuleForm streams={list} onSecret={setSecret} />
      </section>
    </div>
  );
}
