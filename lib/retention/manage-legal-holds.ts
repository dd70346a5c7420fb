import crypto from "node:crypto";
import type { Actor } from "../audit/event-schema";
import { formatTimestamp } from "../audit/format-timestamp";
import { withAuditedChange } from "../audit/audit-change";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";
import { CreateLegalHoldSchema, HOLD_SCOPES, ReleaseLegalHoldSchema, type CreateLegalHold, type HoldScope, type LegalHoldView } from "./legal-hold-schema";

export { CreateLegalHoldSchema, HOLD_SCOPES, ReleaseLegalHoldSchema, type CreateLegalHold, type HoldScope, type LegalHoldView };

type HoldRow = Awaited<ReturnType<Database["prisma"]["legalHold"]["findUnique"]>>;

function view(h: NonNullable<HoldRow>): LegalHoldView {
  return {
    id: h.id,
    scope: h.scope as HoldScope,
    target: h.target,
    reason: h.reason,
    status: h.releasedAt ? "released" : "active",
    created_at: formatTimestamp(h.createdAt),
    created_by: h.createdBy,
    released_at: h.releasedAt ? formatTimestamp(h.releasedAt) : null,
    released_by: h.releasedBy,
    release_reason: h.releaseReason,
  };
}

const actorLabel = (a: Actor) => a.email ?? a.name ?? a.id;

/** Places a legal hold (audited as `legal_hold.created`). */
export async function createLegalHold(opts: { db: Database; orgId: string; hold: CreateLegalHold; actor: Actor; now?: Date }): Promise<LegalHoldView> {
  const row = await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    const row = await tx.prisma.legalHold.create({
      data: {
        id: `hold_${crypto.randomBytes(8).toString("hex")}`,
        orgId: opts.orgId,
        scope: opts.hold.scope,
        target: opts.hold.target ?? null,
        reason: opts.hold.reason,
        createdAt: opts.now ?? new Date(),
        createdBy: actorLabel(opts.actor),
      },
    });
    return {
      value: row,
      events: [
        {
          actor: opts.actor,
          action: "legal_hold.created",
          resource: { type: "legal_hold", id: row.id, name: row.target ? `${row.scope}: ${row.target}` : "all events" },
          details: { scope: row.scope, target: row.target, reason: row.reason },
        },
      ],
    };
  });
  return view(row);
}

export async function listLegalHolds(opts: { db: Database; orgId: string; status?: "active" | "released" }): Promise<LegalHoldView[]> {
  const rows = await opts.db.prisma.legalHold.findMany({
    where: { orgId: opts.orgId, ...(opts.status === "active" ? { releasedAt: null } : opts.status === "released" ? { NOT: { releasedAt: null } } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
  });
  return rows.map(view);
}

/** Releases an active hold (audited as `legal_hold.released`); another org's id is a 404 like a missing one. */
export async function releaseLegalHold(opts: { db: Database; orgId: string; id: string; reason?: string; actor: Actor; now?: Date }): Promise<LegalHoldView> {
  const found = await opts.db.prisma.legalHold.findUnique({ where: { orgId_id: { orgId: opts.orgId, id: opts.id } } });
  if (!found) throw new AppError("not_found", `legal hold "${opts.id}" not found`);
  const row = await withAuditedChange({ db: opts.db, orgId: opts.orgId }, async (tx) => {
    const { count } = await tx.prisma.legalHold.updateMany({
      where: { id: opts.id, orgId: opts.orgId, releasedAt: null },
      data: { releasedAt: opts.now ?? new Date(), releasedBy: actorLabel(opts.actor), releaseReason: opts.reason ?? null },
    });
    if (count === 0) throw new AppError("conflict", `legal hold "${opts.id}" was already released`);
    const row = await tx.prisma.legalHold.findUniqueOrThrow({ where: { orgId_id: { orgId: opts.orgId, id: opts.id } } });
    return {
      value: row,
      events: [
        {
          actor: opts.actor,
          action: "legal_hold.released",
          resource: { type: "legal_hold", id: row.id, name: row.target ? `${row.scope}: ${row.target}` : "all events" },
          details: { scope: row.scope, target: row.target, reason: row.reason, ...(opts.reason && { release_reason: opts.reason }) },
        },
      ],
    };
  });
  return view(row);
}
