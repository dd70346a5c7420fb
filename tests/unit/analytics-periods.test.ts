import { describe, expect, it } from "vitest";
import { trendOf } from "@/lib/analytics/get-history";
import { buildPeriods, dateKey, isTimeZone, lastDay, periodStart, periodsBack, sqlPeriodKey, zoneMidnight } from "@/lib/analytics/periods";
import { parseTimeRange } from "@/lib/audit/time-bounds";

const d = (s: string) => new Date(s);

describe("UTC calendar periods", () => {
  it("weeks are ISO weeks starting on Monday (Sunday belongs to the week before)", () => {
    expect(dateKey(periodStart(d("2024-01-07T23:59:59Z"), "week"))).toBe("2024-01-01");
    expect(dateKey(periodStart(d("2024-01-08T00:00:00Z"), "week"))).toBe("2024-01-08");
    expect(dateKey(periodStart(d("2024-03-03T12:00:00Z"), "week"))).toBe("2024-02-26");
  });
  it("months are calendar months, leap years included", () => {
    const p = buildPeriods(d("2024-01-15T00:00:00Z"), d("2024-03-01T00:00:00Z"), "month", 100)!;
    expect(p.map((x) => [dateKey(x.start), lastDay(x)])).toEqual([
      ["2024-01-01", "2024-01-31"],
      ["2024-02-01", "2024-02-29"],
    ]);
  });
  it("covers whole periods from the one containing from to the one containing to - 1 ms; refuses too many", () => {
    const p = buildPeriods(d("2024-01-03T10:00:00Z"), d("2024-01-22T00:00:00Z"), "week", 100)!;
    expect(p.map((x) => [dateKey(x.start), lastDay(x)])).toEqual([
      ["2024-01-01", "2024-01-07"],
      ["2024-01-08", "2024-01-14"],
      ["2024-01-15", "2024-01-21"],
    ]);
    expect(buildPeriods(d("2024-01-01T00:00:00Z"), d("2024-12-31T00:00:00Z"), "day", 100)).toBeNull();
    expect(dateKey(periodsBack(d("2024-01-22T00:00:00Z"), "week", 3))).toBe("2024-01-01");
  });
  it("trend: more score or fixes is improving, fewer open issues is improving", () => {
    expect(trendOf("score", 7)).toBe("improving");
    expect(trendOf("score", -1)).toBe("declining");
    expect(trendOf("issues", -1)).toBe("improving");
    expect(trendOf("issues", 2)).toBe("declining");
    expect(trendOf("fixes", 0)).toBe("stable");
    expect(trendOf("score", null)).toBe("stable");
  });
});

describe("calendar periods in a named time zone (History with Local chosen)", () => {
  const berlin = "Europe/Berlin";
  it("days run from local midnight to local midnight, 23 h and 25 h across daylight-saving changes", () => {
    const p = buildPeriods(d("2026-03-28T12:00:00Z"), d("2026-03-30T12:00:00Z"), "day", 10, berlin)!;
    expect(p.map((x) => [x.start.toISOString(), dateKey(x.start, berlin), lastDay(x, berlin)])).toEqual([
      ["2026-03-27T23:00:00.000Z", "2026-03-28", "2026-03-28"],
      ["2026-03-28T23:00:00.000Z", "2026-03-29", "2026-03-29"],
      ["2026-03-29T22:00:00.000Z", "2026-03-30", "2026-03-30"],
    ]);
    expect(p[1]!.end.getTime() - p[1]!.start.getTime()).toBe(23 * 3_600_000);
    const autumn = buildPeriods(d("2026-10-25T12:00:00Z"), d("2026-10-25T13:00:00Z"), "day", 10, berlin)!;
    expect(autumn[0]!.end.getTime() - autumn[0]!.start.getTime()).toBe(25 * 3_600_000);
  });
  it("an instant late on Sunday evening UTC is already Monday in Tokyo: another week there", () => {
    const t = d("2024-01-07T20:00:00Z");
    expect(dateKey(periodStart(t, "week"))).toBe("2024-01-01");
    expect(dateKey(periodStart(t, "week", "Asia/Tokyo"), "Asia/Tokyo")).toBe("2024-01-08");
    expect(dateKey(periodStart(d("2024-02-01T03:00:00Z"), "month", "America/New_York"), "America/New_York")).toBe("2024-01-01");
  });
  it("plain-date bounds are the zone's days; names are checked before they reach SQL", () => {
    expect(parseTimeRange({ from: "2026-03-29", to: "2026-03-29" }, undefined, berlin)).toEqual({ from: d("2026-03-28T23:00:00Z"), to: d("2026-03-29T22:00:00Z") });
    expect(parseTimeRange({ from: "2026-03-29T10:00:00Z" }, undefined, berlin).from).toEqual(d("2026-03-29T10:00:00Z"));
    expect(zoneMidnight("2024-07-01", "America/New_York")).toEqual(d("2024-07-01T04:00:00Z"));
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
    expect(isTimeZone("UTC'; DROP TABLE x; --")).toBe(false);
    expect(() => sqlPeriodKey("t", "day", "x' OR '1")).toThrow(/not a time zone/);
    expect(sqlPeriodKey("t", "week", berlin)).toContain("AT TIME ZONE 'Europe/Berlin'");
  });
});
