// Dify's `time` provider (api/core/tools/builtin_tool/providers/time): current_time, weekday,
// timezone_conversion, localtime_to_timestamp, timestamp_to_localtime, with the same parameters,
// defaults, texts and error messages. An empty timezone means the server's local zone, which for a
// Worker is UTC.
import type { Tool } from "../types";
import { ToolError } from "../types";
import { builtinTool, param, text } from "./define";
import { instantOf, isTimeZone, MONTHS, parseTime, pyQuote, strftime, TIME_FORMAT, weekdayOf, zonedTime } from "./clock";

const PROVIDER = "time";

// current_time's timezone options, in Dify's order.
export const TIMEZONE_OPTIONS = [
  "UTC", "America/New_York", "America/Los_Angeles", "America/Chicago", "America/Sao_Paulo", "Asia/Shanghai", "Asia/Ho_Chi_Minh",
  "Asia/Tokyo", "Asia/Dubai", "Asia/Kolkata", "Asia/Seoul", "Asia/Singapore", "Europe/London", "Europe/Berlin", "Europe/Moscow",
  "Australia/Sydney", "Pacific/Auckland", "Africa/Cairo",
];

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** A zone a tool was given; Dify raises ToolInvokeError("Invalid timezone: '<name>'"). */
function zoneOrThrow(zone: string): string {
  if (!isTimeZone(zone)) throw new ToolError(`Invalid timezone: ${pyQuote(zone)}`);
  return zone;
}

const str = (value: unknown, fallback: string): string => (value === undefined || value === null ? fallback : String(value));

function parseOrThrow(value: string) {
  try {
    return parseTime(value);
  } catch (err) {
    throw new ToolError((err as Error).message);
  }
}

export function timeTools(now: () => number = Date.now): Tool[] {
  const currentTime = builtinTool(
    PROVIDER,
    {
      name: "current_time",
      label: "Current Time",
      description: "A tool for getting the current time.",
      parameters: [
        param("format", "string", { form: "form", label: "Format", description: "Time format in strftime standard.", default: "%Y-%m-%d %H:%M:%S" }),
        param("timezone", "select", { form: "form", label: "Timezone", description: "Timezone", default: "UTC", options: TIMEZONE_OPTIONS }),
      ],
    },
    async (args) => {
      const zone = str(args.timezone, "UTC");
      const format = typeof args.format === "string" && args.format ? args.format : "%Y-%m-%d %H:%M:%S %Z";
      if (zone !== "UTC" && !isTimeZone(zone)) return text(`Invalid timezone: ${zone}`);
      return text(strftime(format, zonedTime(zone, now())));
    },
  );

  const weekday = builtinTool(
    PROVIDER,
    {
      name: "weekday",
      label: "Weekday Calculator",
      description: "A tool for calculating the weekday of a given date by year, month and day.",
      parameters: [
        param("year", "number", { required: true, label: "Year", description: "Year" }),
        param("month", "number", { required: true, label: "Month", description: "Month" }),
        param("day", "number", { required: true, label: "day", description: "day" }),
      ],
    },
    async (args) => {
      const [year, month, day] = [args.year, args.month, args.day].map(Number);
      const valid =
        [year, month, day].every(Number.isFinite) && year >= 1 && year <= 9999 && month >= 1 && month <= 12 && day >= 1 && day <= 31;
      const [y, m, d] = [year, month, day].map(Math.trunc);
      const date = new Date(0);
      date.setUTCFullYear(y, m - 1, d);
      if (!valid || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
        return text(`Invalid date: Year ${args.year}, Month ${args.month}, Day ${args.day}.`);
      }
      return text(`${MONTHS[m - 1]} ${d}, ${y} is ${WEEKDAYS[weekdayOf({ year: y, month: m, day: d })]}.`);
    },
  );

  const timezoneConversion = builtinTool(
    PROVIDER,
    {
      name: "timezone_conversion",
      label: "convert time to equivalent time zone",
      description: "A tool to convert time to equivalent time zone",
      parameters: [
        param("current_time", "string", { required: true, label: "current time", description: "current time, such as 2024-1-1 0:0:0" }),
        param("current_timezone", "string", { required: true, label: "Current Timezone", description: "Current Timezone, such as Asia/Shanghai", default: "Asia/Shanghai" }),
        param("target_timezone", "string", { required: true, label: "Target Timezone", description: "Target Timezone, such as Asia/Tokyo", default: "Asia/Tokyo" }),
      ],
    },
    async (args) => {
      const source = zoneOrThrow(str(args.current_timezone, "Asia/Shanghai"));
      const target = zoneOrThrow(str(args.target_timezone, "Asia/Tokyo"));
      const instant = instantOf(source, parseOrThrow(str(args.current_time, "")));
      return text(strftime(TIME_FORMAT, zonedTime(target, instant)));
    },
  );

  const localtimeToTimestamp = builtinTool(
    PROVIDER,
    {
      name: "localtime_to_timestamp",
      label: "localtime to timestamp",
      description: "A tool for localtime convert to timestamp",
      parameters: [
        param("localtime", "string", { required: true, label: "localtime", description: "localtime, such as 2024-1-1 0:0:0" }),
        param("timezone", "string", { label: "Timezone", description: "Timezone, such as Asia/Shanghai", default: "Asia/Shanghai" }),
      ],
    },
    async (args) => {
      const zone = args.timezone ? zoneOrThrow(String(args.timezone)) : "UTC";
      const instant = instantOf(zone, parseOrThrow(str(args.localtime, "")));
      return text(String(Math.floor(instant / 1000)));
    },
  );

  const timestampToLocaltime = builtinTool(
    PROVIDER,
    {
      name: "timestamp_to_localtime",
      label: "Timestamp to localtime",
      description: "A tool for timestamp convert to localtime",
      parameters: [
        param("timestamp", "number", { required: true, label: "Timestamp", description: "Timestamp" }),
        param("timezone", "string", { label: "Timezone", description: "Timezone, such as Asia/Shanghai", default: "Asia/Shanghai" }),
      ],
    },
    async (args) => {
      const zone = args.timezone ? zoneOrThrow(String(args.timezone)) : "UTC";
      const seconds = typeof args.timestamp === "number" ? args.timestamp : 0;
      // datetime.fromtimestamp's range: years 1 to 9999.
      if (!Number.isFinite(seconds) || seconds < -62_135_596_800 || seconds > 253_402_300_799) throw new ToolError(`year is out of range`);
      return text(strftime(TIME_FORMAT, zonedTime(zone, Math.floor(seconds) * 1000)));
    },
  );

  return [currentTime, weekday, timezoneConversion, localtimeToTimestamp, timestampToLocaltime];
}
