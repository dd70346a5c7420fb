import { describe, expect, it } from "vitest";
import { trendOf } from "@/lib/analytics/get-history";
import { buildPeriods, dateKey, lastDay, periodStart, periodsBack } from "@/lib/analytics/periods";

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
