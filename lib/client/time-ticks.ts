/**
 * Axis ticks for a time chart over [from, to] in the chosen zone: a step from a fixed ladder (hours,
 * days, weeks, months) giving at most `maxTicks` ticks, boundaries on whole hours / midnights /
 * Mondays / firsts of the month in that zone, and a label format fine enough that no two ticks
 * read the same ("11-21 11-21 11-21" cannot happen: ticks are at least a day apart when labels are days).
 */
export type TickZone = "utc" | "local";

const H = 3_600_000;
const D = 24 * H;
type Step = { kind: "minute"; n: number } | { kind: "hour"; n: number } | { kind: "day"; n: number } | { kind: "week" } | { kind: "month"; n: number };
const LADDER: { step: Step; ms: number }[] = [
  ...[5, 10, 15, 30].map((n) => ({ step: { kind: "minute", n } as Step, ms: n * 60_000 })),
  ...[1, 2, 3, 6, 12].map((n) => ({ step: { kind: "hour", n } as Step, ms: n * H })),
  ...[1, 2].map((n) => ({ step: { kind: "day", n } as Step, ms: n * D })),
  { step: { kind: "week" }, ms: 7 * D },
  ...[1, 3, 6, 12].map((n) => ({ step: { kind: "month", n } as Step, ms: n * 30 * D })),
];

const pad = (n: number) => String(n).padStart(2, "0");

interface Parts {
  y: number;
  m: number;
  d: number;
  h: number;
  dow: number;
}
function parts(t: number, zone: TickZone): Parts {
  const x = new Date(t);
  return zone === "utc"
    ? { y: x.getUTCFullYear(), m: x.getUTCMonth(), d: x.getUTCDate(), h: x.getUTCHours(), dow: x.getUTCDay() }
    : { y: x.getFullYear(), m: x.getMonth(), d: x.getDate(), h: x.getHours(), dow: x.getDay() };
}
function make(zone: TickZone, y: number, m: number, d: number, h = 0): number {
  return zone === "utc" ? Date.UTC(y, m, d, h) : new Date(y, m, d, h).getTime();
}

function boundaries(from: number, to: number, step: Step, zone: TickZone): number[] {
  const out: number[] = [];
  const p = parts(from, zone);
  if (step.kind === "minute") {
    const ms = step.n * 60_000;
    // Whole minutes are whole in every zone with an offset of whole minutes.
    for (let t = Math.ceil(from / ms) * ms; t <= to; t += ms) out.push(t);
  } else if (step.kind === "hour") {
    for (let t = make(zone, p.y, p.m, p.d, 0); t <= to; ) {
      const q = parts(t, zone);
      if (t >= from && q.h % step.n === 0) out.push(t);
      t = make(zone, q.y, q.m, q.d, q.h + 1);
    }
  } else if (step.kind === "day" || step.kind === "week") {
    let i = 0;
    for (let t = make(zone, p.y, p.m, p.d); t <= to; ) {
      const q = parts(t, zone);
      if (t >= from && (step.kind === "week" ? q.dow === 1 : i++ % step.n === 0)) out.push(t);
      t = make(zone, q.y, q.m, q.d + 1);
    }
  } else {
    for (let t = make(zone, p.y, p.m, 1); t <= to; ) {
      const q = parts(t, zone);
      if (t >= from && q.m % step.n === 0) out.push(t);
      t = make(zone, q.y, q.m + 1, 1);
    }
  }
  return out;
}

function label(t: number, step: Step, spanMs: number, zone: TickZone): string {
  const p = parts(t, zone);
  const md = `${pad(p.m + 1)}-${pad(p.d)}`;
  if (step.kind === "minute") {
    const x = new Date(t);
    return `${pad(p.h)}:${pad(zone === "utc" ? x.getUTCMinutes() : x.getMinutes())}`;
  }
  if (step.kind === "hour") return spanMs > D ? `${md} ${pad(p.h)}:00` : `${pad(p.h)}:00`;
  if (step.kind === "month") return `${p.y}-${pad(p.m + 1)}`;
  return spanMs > 330 * D ? `${p.y}-${md}` : md;
}

export interface TimeTick {
  t: number;
  label: string;
}

/** Ticks for [from, to]; `minStepMs` keeps ticks no closer than one bucket. */
export function timeTicks(from: number, to: number, zone: TickZone, opts: { maxTicks?: number; minStepMs?: number } = {}): TimeTick[] {
  const span = Math.max(1, to - from);
  const max = opts.maxTicks ?? 8;
  const pick = LADDER.find((l) => l.ms >= (opts.minStepMs ?? 0) && span / l.ms <= max) ?? LADDER[LADDER.length - 1]!;
  return boundaries(from, to, pick.step, zone).map((t) => ({ t, label: label(t, pick.step, span, zone) }));
}
