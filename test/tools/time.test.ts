// The `time` built-ins against outputs of Dify's Python tools (Python 3 zoneinfo, tzdata 2024), for
// a fixed clock: formats, zones and their abbreviations, DST edges, timestamps, Dify's error texts.
import { describe, expect, it } from "vitest";
import { builtinTools, resolveArguments } from "../../src/tools/registry";
import { timeTools } from "../../src/tools/builtin/time";
import { type Tool, ToolError } from "../../src/tools/types";
import { toolContext } from "./context";

const NOW = 1705321845123; // 2024-01-15 12:30:45.123 UTC
const JULY = 1721046645500; // 2024-07-15 12:30:45.5 UTC
const byName = (tools: Tool[], name: string) => tools.find((t) => t.name === name)!;
const run = async (tools: Tool[], name: string, params: Record<string, unknown>, config: Record<string, unknown> = {}) => {
  const tool = byName(tools, name);
  return (await tool.call(resolveArguments(tool, { toolParameters: params, toolConfigurations: config }), toolContext())).text;
};

// Python: datetime.fromtimestamp(t, ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S %Z %z")
const PYTHON: [zone: string, january: string, july: string][] = [
  ["UTC", "2024-01-15 12:30:45 UTC +0000", "2024-07-15 12:30:45 UTC +0000"],
  ["America/New_York", "2024-01-15 07:30:45 EST -0500", "2024-07-15 08:30:45 EDT -0400"],
  ["America/Los_Angeles", "2024-01-15 04:30:45 PST -0800", "2024-07-15 05:30:45 PDT -0700"],
  ["America/Chicago", "2024-01-15 06:30:45 CST -0600", "2024-07-15 07:30:45 CDT -0500"],
  ["America/Sao_Paulo", "2024-01-15 09:30:45 -03 -0300", "2024-07-15 09:30:45 -03 -0300"],
  ["Asia/Shanghai", "2024-01-15 20:30:45 CST +0800", "2024-07-15 20:30:45 CST +0800"],
  ["Asia/Ho_Chi_Minh", "2024-01-15 19:30:45 +07 +0700", "2024-07-15 19:30:45 +07 +0700"],
  ["Asia/Tokyo", "2024-01-15 21:30:45 JST +0900", "2024-07-15 21:30:45 JST +0900"],
  ["Asia/Dubai", "2024-01-15 16:30:45 +04 +0400", "2024-07-15 16:30:45 +04 +0400"],
  ["Asia/Kolkata", "2024-01-15 18:00:45 IST +0530", "2024-07-15 18:00:45 IST +0530"],
  ["Asia/Seoul", "2024-01-15 21:30:45 KST +0900", "2024-07-15 21:30:45 KST +0900"],
  ["Asia/Singapore", "2024-01-15 20:30:45 +08 +0800", "2024-07-15 20:30:45 +08 +0800"],
  ["Europe/London", "2024-01-15 12:30:45 GMT +0000", "2024-07-15 13:30:45 BST +0100"],
  ["Europe/Berlin", "2024-01-15 13:30:45 CET +0100", "2024-07-15 14:30:45 CEST +0200"],
  ["Europe/Moscow", "2024-01-15 15:30:45 MSK +0300", "2024-07-15 15:30:45 MSK +0300"],
  ["Australia/Sydney", "2024-01-15 23:30:45 AEDT +1100", "2024-07-15 22:30:45 AEST +1000"],
  ["Pacific/Auckland", "2024-01-16 01:30:45 NZDT +1300", "2024-07-16 00:30:45 NZST +1200"],
  ["Africa/Cairo", "2024-01-15 14:30:45 EET +0200", "2024-07-15 15:30:45 EEST +0300"],
];

describe("time.current_time", () => {
  it("prints every zone of Dify's options as Python's strftime does, abbreviations included", async () => {
    for (const [zone, january, july] of PYTHON) {
      expect(await run(timeTools(() => NOW), "current_time", {}, { timezone: zone, format: "%Y-%m-%d %H:%M:%S %Z %z" }), zone).toBe(january);
      expect(await run(timeTools(() => JULY), "current_time", {}, { timezone: zone, format: "%Y-%m-%d %H:%M:%S %Z %z" }), zone).toBe(july);
    }
  });

  it("supports Python's (glibc's) directives and flags", async () => {
    const format = "%a %A %b %B %c %d %e %f %H %I %j %m %M %p %S %U %w %W %x %X %y %Y %G %V %u %-d %-m %% %Q %D %F %T %R %r %k %l %C %g %h";
    expect(await run(timeTools(() => NOW), "current_time", {}, { timezone: "Asia/Shanghai", format })).toBe(
      "Mon Monday Jan January Mon Jan 15 20:30:45 2024 15 15 123000 20 08 015 01 30 PM 45 02 1 03 01/15/24 20:30:45 24 2024 2024 03 1 15 1 % %Q 01/15/24 2024-01-15 20:30:45 20:30 08:30:45 PM 20  8 20 24 Jan",
    );
    expect(await run(timeTools(() => NOW), "current_time", {}, { timezone: "Asia/Kolkata", format: "%z %:z" })).toBe("+0530 +05:30");
  });

  it("defaults to UTC and the yaml's format, and refuses a zone outside its options", async () => {
    expect(await run(timeTools(() => NOW), "current_time", {})).toBe("2024-01-15 12:30:45");
    const tool = byName(timeTools(), "current_time");
    expect(() => resolveArguments(tool, { toolConfigurations: { timezone: "Mars/Base" } })).toThrow("tool parameter timezone value Mars/Base not in options");
    // Called without the options check (as an agent's form values may be), Dify answers in text.
    expect((await tool.call({ timezone: "Mars/Base" }, toolContext())).text).toBe("Invalid timezone: Mars/Base");
    // The real clock: the current year in the default format.
    expect(await run(timeTools(), "current_time", {})).toMatch(new RegExp(`^${new Date().getUTCFullYear()}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`));
  });
});

describe("time conversions", () => {
  it("converts local times to timestamps with Python's fold=0 at DST edges", async () => {
    const tools = timeTools();
    expect(await run(tools, "localtime_to_timestamp", { localtime: "2024-1-1 0:0:0" })).toBe("1704038400"); // default Asia/Shanghai
    expect(await run(tools, "localtime_to_timestamp", { localtime: "2024-3-10 2:30:00", timezone: "America/New_York" })).toBe("1710055800"); // in the gap
    expect(await run(tools, "localtime_to_timestamp", { localtime: "2024-11-3 1:30:00", timezone: "America/New_York" })).toBe("1730611800"); // first of two
    expect(await run(tools, "localtime_to_timestamp", { localtime: "2024-01-01 00:00:00", timezone: "" })).toBe("1704067200"); // server local: UTC
  });

  it("converts timestamps to local time", async () => {
    const tools = timeTools();
    expect(await run(tools, "timestamp_to_localtime", { timestamp: 1705321845 })).toBe("2024-01-15 20:30:45");
    expect(await run(tools, "timestamp_to_localtime", { timestamp: "1705321845", timezone: "Europe/London" })).toBe("2024-01-15 12:30:45");
    expect(await run(tools, "timestamp_to_localtime", { timestamp: 0, timezone: "Asia/Kolkata" })).toBe("1970-01-01 05:30:00");
  });

  it("converts between zones", async () => {
    expect(await run(timeTools(), "timezone_conversion", { current_time: "2024-07-01 09:00:00", current_timezone: "Asia/Shanghai", target_timezone: "America/New_York" })).toBe(
      "2024-06-30 21:00:00",
    );
    expect(await run(timeTools(), "timezone_conversion", { current_time: "2024-07-01 09:00:00" })).toBe("2024-07-01 10:00:00"); // Shanghai → Tokyo
  });

  it("fails with Python's messages", async () => {
    const fail = async (name: string, params: Record<string, unknown>) => {
      const err = await run(timeTools(), name, params).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ToolError);
      expect((err as ToolError).errorType).toBe("ToolInvokeError");
      return (err as Error).message;
    };
    expect(await fail("localtime_to_timestamp", { localtime: "2024/01/01 00:00:00" })).toBe("time data '2024/01/01 00:00:00' does not match format '%Y-%m-%d %H:%M:%S'");
    expect(await fail("localtime_to_timestamp", { localtime: "2024-01-01 00:00:00 x" })).toBe("unconverted data remains:  x");
    expect(await fail("localtime_to_timestamp", { localtime: "2024-02-30 00:00:00" })).toBe("day is out of range for month");
    expect(await fail("localtime_to_timestamp", { localtime: "2024-01-01 00:00:00", timezone: "Mars/Base" })).toBe("Invalid timezone: 'Mars/Base'");
    expect(await fail("timezone_conversion", { current_time: "2024-01-01 00:00:00", target_timezone: "+05:00" })).toBe("Invalid timezone: '+05:00'");
    expect(await fail("timestamp_to_localtime", { timestamp: 1e15 })).toBe("year is out of range");
  });
});

describe("time.weekday", () => {
  it("names the weekday as Dify does and answers invalid dates in text", async () => {
    const tools = timeTools();
    expect(await run(tools, "weekday", { year: 2024, month: 2, day: 29 })).toBe("February 29, 2024 is Thursday.");
    expect(await run(tools, "weekday", { year: "1969", month: "7", day: "20" })).toBe("July 20, 1969 is Sunday.");
    expect(await run(tools, "weekday", { year: 2023, month: 2, day: 29 })).toBe("Invalid date: Year 2023, Month 2, Day 29.");
    expect(await run(tools, "weekday", { year: 2024, month: 13, day: 1 })).toBe("Invalid date: Year 2024, Month 13, Day 1.");
  });

  it("is in the registry with Dify's parameters", () => {
    const weekday = builtinTools().find((t) => t.provider === "time" && t.name === "weekday")!;
    expect(weekday.parameters.map((p) => [p.name, p.type, p.required, p.form])).toEqual([
      ["year", "number", true, "llm"],
      ["month", "number", true, "llm"],
      ["day", "number", true, "llm"],
    ]);
    expect(builtinTools().filter((t) => t.provider === "time").map((t) => t.name)).toEqual([
      "current_time",
      "weekday",
      "timezone_conversion",
      "localtime_to_timestamp",
      "timestamp_to_localtime",
    ]);
  });
});
