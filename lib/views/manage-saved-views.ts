import crypto from "node:crypto";
import { z } from "zod";
import type { Database } from "../db/open-database";
import { AppError } from "../errors";

export { normalizeViewQuery, VIEW_PARAMS, type SavedView } from "./view-params";
import { normalizeViewQuery, type SavedView } from "./view-params";

export const SaveViewInputSchema = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100, "at most 100 characters"),
    query: z.string().max(4000, "at most 4000 characters").transform(normalizeViewQuery),
  })
  .strict();
export type SaveViewInput = z.infer<typeof SaveViewInputSchema>;

const toView = (v: { id: string; name: string; query: string; createdAt: Date; updatedAt: Date }): SavedView => ({
  id: v.id,
  name: v.name,
  query: v.query,
  created_at: v.createdAt.toISOString(),
  updated_at: v.updatedAt.toISOString(),
});

/** The user's saved views in this org, by name. */
export async function listSavedViews(opts: { db: Database; orgId: string; userId: string }): Promise<SavedView[]> {
  const rows = await opts.db.prisma.savedView.findMany({ where: { orgId: opts.orgId, userId: opts.userId }, orderBy: { name: "asc" } });
  return rows.map(toView);
}

/** Saves (or, under an existing name, replaces) a view of the user's. At most 200 per user and org. */
export async function saveView(opts: { db: Database; orgId: string; userId: string; input: SaveViewInput; now?: Date }): Promise<SavedView> {
  const now = opts.now ?? new Date();
  const where = { orgId_userId_name: { orgId: opts.orgId, userId: opts.userId, name: opts.input.name } };
  const existing = await opts.db.prisma.savedView.findUnique({ where });
  if (existing) return toView(await opts.db.prisma.savedView.update({ where, data: { query: opts.input.query, updatedAt: now } }));
  const count = await opts.db.prisma.savedView.count({ where: { orgId: opts.orgId, userId: opts.userId } });
  if (count >= 200) throw new AppError("conflict", "at most 200 saved views: delete one first", { field: "name" });
  const row = await opts.db.prisma.savedView.create({
    data: { orgId: opts.orgId, id: `view_${crypto.randomBytes(8).toString("hex")}`, userId: opts.userId, name: opts.input.name, query: opts.input.query, createdAt: now, updatedAt: now },
  });
  return toView(row);
}

/** Deletes one of the user's views (404 for another user's or an unknown one). */
export async function deleteSavedView(opts: { db: Database; orgId: string; userId: string; id: string }): Promise<void> {
  const r = await opts.db.prisma.savedView.deleteMany({ where: { orgId: opts.orgId, userId: opts.userId, id: opts.id } });
  if (r.count === 0) throw new AppError("not_found", "no such saved view", { field: "id" });
}
