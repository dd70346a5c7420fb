"use client";

import { Time } from "@/components/time";
import type { StoredEvent } from "@/lib/client/use-explorer";
import { CopyButton } from "./copy-button";
import { FoldedText, JsonBlock } from "./folded-text";

function Row({ term, children, copy }: { term: string; children: React.ReactNode; copy?: string }) {
  return (
    <div className="grid grid-cols-[minmax(5rem,9rem)_minmax(0,1fr)] gap-2 border-b border-slate-100 py-1.5 text-sm dark:border-slate-800">
      <dt className="text-slate-500 dark:text-slate-400">{term}</dt>
      <dd className="flex min-w-0 items-start gap-1 [overflow-wrap:anywhere]">
        <span className="min-w-0 flex-1">{children}</span>
        {copy && <CopyButton value={copy} label={term} />}
      </dd>
    </div>
  );
}

/** Every field of an entry (the canonical event), in reading order. */
export function EntryFields({ event }: { event: StoredEvent }) {
  const a = event.actor;
  const { type: rType, id: rId, name: rName, ...rExtra } = event.resource;
  return (
    <dl data-testid="entry-fields">
      <Row term="Time"><Time value={event.timestamp} ms /></Row>
      <Row term="Received"><Time value={event.received_at} ms /></Row>
      <Row term="Action" copy={event.action}><code>{event.action}</code></Row>
      <Row term="Actor" copy={a.email ?? a.id}>
        {a.name ? <FoldedText text={`${a.name} `} /> : ""}
        {a.email && <span>&lt;{a.email}&gt; </span>}
        <span className="text-slate-500 dark:text-slate-400">({a.type}, <FoldedText text={a.id} />)</span>
      </Row>
      <Row term="Resource" copy={`${rType}/${rId}`}>
        {rName ? <FoldedText text={`${rName} `} /> : ""}<span className="text-slate-500 dark:text-slate-400">(<FoldedText text={rType} />, <FoldedText text={rId} />)</span>
        {Object.keys(rExtra).length > 0 && <JsonBlock value={rExtra} className="mt-1 p-1" />}
      </Row>
      {event.repository && <Row term="Repository" copy={event.repository.name}>{event.repository.name} <span className="text-slate-500 dark:text-slate-400">({event.repository.id})</span></Row>}
      {event.ip_address && <Row term="IP address" copy={event.ip_address}>{event.ip_address}</Row>}
      {event.user_agent && <Row term="User agent"><FoldedText text={event.user_agent} /></Row>}
      {event.request_id && <Row term="Request id" copy={event.request_id}>{event.request_id}</Row>}
      {event.session_id && <Row term="Session id" copy={event.session_id}>{event.session_id}</Row>}
      <Row term="Entry id" copy={event.id}><code><FoldedText text={event.id} /></code></Row>
      {event.details && (
        <Row term="Details" copy={JSON.stringify(event.details, null, 2)}>
          <JsonBlock value={event.details} className="p-1" />
        </Row>
      )}
    </dl>
  );
}
