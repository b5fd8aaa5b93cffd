import { afterEach, describe, expect, it, vi } from "vitest";
import { epochSeconds, toSeconds } from "../../src/jwt/duration.js";

describe("toSeconds", () => {
  it("takes a finite number as seconds", () => {
    expect(toSeconds(90, "expiresIn")).toBe(90);
    expect(toSeconds(0, "expiresIn")).toBe(0);
    expect(toSeconds(1.5, "expiresIn")).toBe(1.5);
    expect(toSeconds(-30, "expiresIn")).toBe(-30);
  });

  it("reads each unit", () => {
    const cases: [string, number][] = [
      ["30s", 30],
      ["15m", 15 * 60],
      ["2h", 2 * 60 * 60],
      ["7d", 7 * 24 * 60 * 60],
      ["1w", 7 * 24 * 60 * 60],
      ["3w", 3 * 7 * 24 * 60 * 60],
      ["45", 45],
      ["0", 0],
      ["1.5h", 1.5 * 3600],
      ["-10s", -10],
    ];
    for (const [text, seconds] of cases) expect(toSeconds(text, "expiresIn")).toBe(seconds);
  });

  it("refuses non-finite numbers with a TypeError naming the option", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => toSeconds(value, "expiresIn")).toThrow(TypeError);
      expect(() => toSeconds(value, "expiresIn")).toThrow(/^expiresIn must be a finite number/);
    }
  });

  it.each(["s", "m", "h", "d", "w", ""])(
    "refuses digits that overflow to Infinity, with unit %j",
    (unit) => {
      const huge = `${"9".repeat(400)}${unit}`;
      expect(() => toSeconds(huge, "clockTolerance")).toThrow(
        new TypeError("clockTolerance must be a finite duration, got a number too large to hold"),
      );
      expect(() => toSeconds(`-${huge}`, "clockTolerance")).toThrow(TypeError);
    },
  );

  it("refuses a unit that overflows a large but finite number", () => {
    expect(() => toSeconds(`${"9".repeat(305)}w`, "maxTokenAge")).toThrow(TypeError);
  });

  it("refuses unknown units and other text with a TypeError naming the option and the value", () => {
    for (const text of [
      "15min",
      "1y",
      "2 h",
      " 30s",
      "30s ",
      "30S",
      "h",
      "",
      "1e3",
      "+5s",
      "5.s",
      "s5",
    ]) {
      expect(() => toSeconds(text, "notBefore"), JSON.stringify(text)).toThrow(TypeError);
      expect(() => toSeconds(text, "notBefore")).toThrow(
        `notBefore must be seconds or a duration such as "30s", "15m", "2h", "7d" or "1w", got ${JSON.stringify(text)}`,
      );
    }
  });

  it("refuses values that are neither numbers nor strings", () => {
    for (const value of [null, undefined, {}, [], true, 10n]) {
      expect(() => toSeconds(value as unknown as number, "maxTokenAge")).toThrow(
        new TypeError("maxTokenAge must be a number of seconds or a duration string"),
      );
    }
  });
});

describe("epochSeconds", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("is whole seconds, rounded down", () => {
    expect(epochSeconds(new Date(1_700_000_000_999))).toBe(1_700_000_000);
    expect(epochSeconds(new Date(1_700_000_000_000))).toBe(1_700_000_000);
    expect(epochSeconds(new Date(999))).toBe(0);
  });

  it("reads the system clock by default", () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(1_234_567_890_500));
    expect(epochSeconds()).toBe(1_234_567_890);
  });

  it("refuses an invalid Date with a TypeError", () => {
    expect(() => epochSeconds(new Date(Number.NaN))).toThrow(
      new TypeError("now must be a valid Date"),
    );
  });
});
