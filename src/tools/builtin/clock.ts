// Time zones and Python's time formatting, over Intl (the runtime's ICU time-zone data): the wall
// clock of an instant in a zone, the instant of a wall-clock time (Python's fold=0: an ambiguous time
// is its first occurrence, a time in a spring-forward gap takes the offset before the gap), strftime
// as Python on glibc prints it, and the one strptime format the time tools parse.

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface ZonedTime extends WallTime {
  /** Milliseconds within the second. */
  ms: number;
  /** Unix milliseconds. */
  instant: number;
  /** UTC offset in minutes (east positive). */
  offsetMinutes: number;
  /** The zone's abbreviation at that instant, as tzdata (and so Python's %Z) names it. */
  abbreviation: string;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** True when `zone` names an IANA time zone (offset strings such as "+05:00" are not zones to Python). */
export function isTimeZone(zone: unknown): zone is string {
  if (typeof zone !== "string" || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

function wallOf(zone: string, instant: number): WallTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(zone).formatToParts(new Date(instant))) if (part.type !== "literal") parts[part.type] = Number(part.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

const wallAsUtc = (w: WallTime): number => {
  const d = new Date(0);
  d.setUTCFullYear(w.year, w.month - 1, w.day);
  d.setUTCHours(w.hour, w.minute, w.second, 0);
  return d.getTime();
};

function offsetMs(zone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return wallAsUtc(wallOf(zone, whole)) - whole;
}

// tzdata's abbreviations where CLDR's English names differ (CLDR says "GMT+8" for China, tzdata "CST").
const ABBREVIATIONS: Record<string, [standard: string, daylight?: string]> = {
  "Asia/Shanghai": ["CST"], "Asia/Chongqing": ["CST"], "Asia/Harbin": ["CST"], "PRC": ["CST"], "Asia/Taipei": ["CST"], "Asia/Macau": ["CST"],
  "Asia/Hong_Kong": ["HKT"], "Asia/Tokyo": ["JST"], "Japan": ["JST"], "Asia/Seoul": ["KST"], "Asia/Pyongyang": ["KST"],
  "Asia/Kolkata": ["IST"], "Asia/Calcutta": ["IST"], "Asia/Karachi": ["PKT"], "Asia/Jakarta": ["WIB"], "Asia/Manila": ["PST"],
  "Asia/Jerusalem": ["IST", "IDT"], "Asia/Tel_Aviv": ["IST", "IDT"], "Israel": ["IST", "IDT"],
  "Europe/Moscow": ["MSK"], "Africa/Johannesburg": ["SAST"], "Africa/Lagos": ["WAT"], "Africa/Nairobi": ["EAT"],
  "Pacific/Auckland": ["NZST", "NZDT"], "Pacific/Honolulu": ["HST"],
};

function cldrName(zone: string, instant: number, locale: string): string {
  const part = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: "short" }).formatToParts(new Date(instant)).find((p) => p.type === "timeZoneName");
  return part?.value ?? "";
}

function numericAbbreviation(offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = abs % 60 ? String(abs % 60).padStart(2, "0") : "";
  return `${sign}${hh}${mm}`;
}

function abbreviation(zone: string, instant: number, offsetMinutes: number): string {
  if (/^(Etc\/)?(UTC|UCT|Universal|Zulu)$/i.test(zone)) return "UTC";
  if (/^(Etc\/)?(GMT|Greenwich)(0|[+-]0)?$/i.test(zone)) return "GMT";
  const known = ABBREVIATIONS[zone];
  if (known) {
    const january = offsetMs(zone, Date.UTC(new Date(instant).getUTCFullYear(), 0, 1)) / 60000;
    const july = offsetMs(zone, Date.UTC(new Date(instant).getUTCFullYear(), 6, 1)) / 60000;
    const standard = Math.min(january, july);
    return known[1] && offsetMinutes !== standard ? known[1] : known[0];
  }
  // CLDR's English names match tzdata in the regions each English locale covers.
  const locale = /^(America|US|Canada)\//.test(zone) ? "en-US" : /^(Europe|Africa|Atlantic)\//.test(zone) ? "en-GB" : /^(Australia|Pacific)\//.test(zone) ? "en-AU" : null;
  if (locale) {
    const name = cldrName(zone, instant, locale);
    if (name && !/^(GMT|UTC)[+-−]/.test(name)) return name;
  }
  return numericAbbreviation(offsetMinutes);
}

/** `instant` (Unix ms) as the wall clock in `zone` (which must be valid: see isTimeZone). */
export function zonedTime(zone: string, instant: number): ZonedTime {
  const offset = offsetMs(zone, instant);
  const wall = wallOf(zone, Math.floor(instant / 1000) * 1000);
  const offsetMinutes = Math.round(offset / 60000);
  return { ...wall, ms: ((instant % 1000) + 1000) % 1000, instant, offsetMinutes, abbreviation: abbreviation(zone, instant, offsetMinutes) };
}

/** The instant of a wall-clock time in `zone`, with Python's fold=0 for ambiguous and skipped times. */
export function instantOf(zone: string, wall: WallTime): number {
  const local = wallAsUtc(wall);
  const before = offsetMs(zone, local - 86_400_000);
  const after = offsetMs(zone, local + 86_400_000);
  if (offsetMs(zone, local - before) === before) return local - before;
  if (offsetMs(zone, local - after) === after) return local - after;
  return local - before;
}

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

const pad = (n: number, width: number, fill = "0") => String(n).padStart(width, fill);

function dayOfYear(t: WallTime): number {
  return (Date.UTC(t.year, t.month - 1, t.day) - Date.UTC(t.year, 0, 1)) / 86_400_000 + 1;
}

/** 0 = Sunday. */
export const weekdayOf = (t: { year: number; month: number; day: number }): number => {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  return d.getUTCDay();
};

function isoWeek(t: WallTime): { year: number; week: number } {
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  const weekday = (d.getUTCDay() + 6) % 7; // Monday = 0
  d.setUTCDate(d.getUTCDate() - weekday + 3); // the Thursday of this week decides the year
  const year = d.getUTCFullYear();
  const first = new Date(0);
  first.setUTCFullYear(year, 0, 4);
  const firstThursday = first.getTime() - (((first.getUTCDay() + 6) % 7) - 3) * 86_400_000;
  return { year, week: 1 + Math.round((d.getTime() - firstThursday) / (7 * 86_400_000)) };
}

function offsetText(minutes: number, colon: boolean): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${colon ? ":" : ""}${pad(abs % 60, 2)}`;
}

/** One directive's text and its natural padding (so the "-", "_" and "0" flags can change it). */
function directive(code: string, t: ZonedTime): { text: string; numeric?: { value: number; width: number; fill: string } } | null {
  const num = (value: number, width: number, fill = "0") => ({ text: pad(value, width, fill), numeric: { value, width, fill } });
  const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  const wday = weekdayOf(t);
  const yday = dayOfYear(t);
  switch (code) {
    case "a": return { text: DAYS[wday].slice(0, 3) };
    case "A": return { text: DAYS[wday] };
    case "b": case "h": return { text: MONTHS[t.month - 1].slice(0, 3) };
    case "B": return { text: MONTHS[t.month - 1] };
    case "c": return { text: strftime("%a %b %e %H:%M:%S %Y", t) };
    case "C": return num(Math.floor(t.year / 100), 2);
    case "d": return num(t.day, 2);
    case "D": return { text: strftime("%m/%d/%y", t) };
    case "e": return num(t.day, 2, " ");
    case "f": return { text: pad(t.ms * 1000, 6) };
    case "F": return { text: strftime("%Y-%m-%d", t) };
    case "G": return num(isoWeek(t).year, 4);
    case "g": return num(isoWeek(t).year % 100, 2);
    case "H": return num(t.hour, 2);
    case "I": return num(hour12, 2);
    case "j": return num(yday, 3);
    case "k": return num(t.hour, 2, " ");
    case "l": return num(hour12, 2, " ");
    case "m": return num(t.month, 2);
    case "M": return num(t.minute, 2);
    case "n": return { text: "\n" };
    case "p": return { text: t.hour < 12 ? "AM" : "PM" };
    case "P": return { text: t.hour < 12 ? "am" : "pm" };
    case "r": return { text: strftime("%I:%M:%S %p", t) };
    case "R": return { text: strftime("%H:%M", t) };
    case "s": return { text: String(Math.floor(t.instant / 1000)) };
    case "S": return num(t.second, 2);
    case "t": return { text: "\t" };
    case "T": case "X": return { text: strftime("%H:%M:%S", t) };
    case "u": return { text: String(wday === 0 ? 7 : wday) };
    case "U": return num(Math.floor((yday - 1 + 7 - wday) / 7), 2);
    case "V": return num(isoWeek(t).week, 2);
    case "w": return { text: String(wday) };
    case "W": return num(Math.floor((yday - 1 + 7 - ((wday + 6) % 7)) / 7), 2);
    case "x": return { text: strftime("%m/%d/%y", t) };
    case "y": return num(t.year % 100, 2);
    case "Y": return { text: String(t.year) };
    case "z": return { text: offsetText(t.offsetMinutes, false) };
    case ":z": return { text: offsetText(t.offsetMinutes, true) };
    case "Z": return { text: t.abbreviation };
    case "%": return { text: "%" };
    default: return null;
  }
}

/** Python's datetime.strftime on glibc: its directives, the -, _, 0 and ^ flags; unknown ones print as written. */
export function strftime(format: string, t: ZonedTime): string {
  return format.replace(/%([-_0^#]?)(:z|[A-Za-z%])/g, (whole, flag: string, code: string) => {
    const out = directive(code, t);
    if (!out) return whole;
    let text = out.text;
    if (out.numeric && flag === "-") text = String(out.numeric.value);
    else if (out.numeric && flag === "_") text = pad(out.numeric.value, out.numeric.width, " ");
    else if (out.numeric && flag === "0") text = pad(out.numeric.value, out.numeric.width, "0");
    if (flag === "^") text = text.toUpperCase();
    return text;
  });
}

/** The format the time tools read, "%Y-%m-%d %H:%M:%S". */
export const TIME_FORMAT = "%Y-%m-%d %H:%M:%S";

// Python's strptime patterns for %Y-%m-%d %H:%M:%S (1-2 digit fields; a space matches any run of whitespace).
const TIME_PATTERN = /^(\d{4})-(1[0-2]|0[1-9]|[1-9])-(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])\s+(2[0-3]|[0-1]\d|\d):([0-5]\d|\d):(6[01]|[0-5]\d|\d)/;

/** datetime.strptime(text, "%Y-%m-%d %H:%M:%S"); throws Error with Python's message. */
export function parseTime(text: string): WallTime {
  const match = TIME_PATTERN.exec(text);
  if (!match) throw new Error(`time data ${pyQuote(text)} does not match format '${TIME_FORMAT}'`);
  if (match[0].length !== text.length) throw new Error(`unconverted data remains: ${text.slice(match[0].length)}`);
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part.trim()));
  const daysInMonth = new Date(Date.UTC(2000, month, 0)).getUTCDate() - (month === 2 && !isLeap(year) ? 1 : 0);
  if (year < 1 || day > daysInMonth) throw new Error("day is out of range for month");
  if (second > 59) throw new Error("second must be in 0..59");
  return { year, month, day, hour, minute, second };
}

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/** Python's repr() of a string. */
export const pyQuote = (text: string): string => (text.includes("'") && !text.includes('"') ? `"${text}"` : `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`);
