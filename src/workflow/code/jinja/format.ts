// Python's number formatting and string interpolation: round() with ties to even on the exact binary
// value, '%' printf-style formatting (`'%s-%d' % ('a', 3)`, the `format` filter) and str.format()
// with the format-spec mini-language (`'{:.2f}'.format(x)`).
import {
  type Py,
  PyDict,
  PyFloat,
  PyTuple,
  JinjaError,
  Undefined,
  floatRepr,
  intStr,
  isIntLike,
  isNumber,
  num,
  repr,
  str,
  typeError,
  typeName,
  undefinedError,
  valueError,
} from "./values";

/** |x| rounded to `digits` decimals as text, ties to even (Python), not away from zero (toFixed). */
function fixedAbs(x: number, digits: number): string {
  const a = Math.abs(x);
  if (a >= 1e21) return BigInt(a).toString() + (digits > 0 ? `.${"0".repeat(digits)}` : "");
  const d = Math.min(100, digits);
  const text = a.toFixed(d);
  if (d > 60) return text;
  // An exact tie has a terminating binary expansion: a 5 right after the kept digits, then zeros.
  const wide = a.toFixed(d + 40);
  const dot = wide.indexOf(".");
  const truncated = d === 0 ? wide.slice(0, dot) : wide.slice(0, dot + 1 + d);
  if (!/^50*$/.test(wide.slice(dot + 1 + d))) return text;
  return Number(truncated.slice(-1)) % 2 === 0 ? truncated : text;
}

export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const text = fixedAbs(x, digits);
  return x < 0 || Object.is(x, -0) ? `-${text}` : text;
}

/** Python's round(x, n) for floats. */
export function pyRound(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  if (digits >= 0) return Number(formatFixed(x, Math.min(digits, 100)));
  const factor = 10 ** -digits;
  const y = x / factor;
  const floor = Math.floor(y);
  const diff = y - floor;
  const rounded = diff > 0.5 || (diff === 0.5 && floor % 2 !== 0) ? floor + 1 : floor;
  return rounded * factor;
}

function formatExp(x: number, digits: number, upper = false): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const [m, e] = Math.abs(x).toExponential(Math.min(100, digits)).split("e");
  const exp = Number(e);
  const text = `${x < 0 ? "-" : ""}${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return upper ? text.toUpperCase() : text;
}

function formatGeneral(x: number, precision: number, alternate: boolean, upper = false): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? "nan" : x > 0 ? "inf" : "-inf";
  const p = precision === 0 ? 1 : precision;
  const exp = x === 0 ? 0 : Number(Math.abs(x).toExponential(p - 1).split("e")[1]);
  let text = exp >= -4 && exp < p ? formatFixed(x, p - 1 - exp) : formatExp(x, p - 1, upper);
  if (!alternate) {
    const [mantissa, e] = text.split(/(?=[eE])/);
    text = (mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa) + (e ?? "");
  }
  return text;
}

const asInteger = (v: Py, conv: string): number => {
  if (isIntLike(v)) return Number(v);
  if (v instanceof PyFloat && "diu".includes(conv)) return Math.trunc(v.value);
  throw typeError(`%${conv} format: ${"diu".includes(conv) ? "a real number" : "an integer"} is required, not ${typeName(v)}`);
};
const asFloat = (v: Py): number => {
  if (isNumber(v)) return num(v);
  throw typeError(`must be real number, not ${typeName(v)}`);
};

function pad(text: string, width: number, left: boolean, zero: boolean): string {
  if (text.length >= width) return text;
  if (left) return text.padEnd(width);
  if (zero) {
    const sign = /^[+\- ]/.test(text) ? text[0] : "";
    const prefix = /^[+\- ]?0[xXo]/.test(text) ? text.slice(0, sign.length + 2) : sign;
    return prefix + text.slice(prefix.length).padStart(width - prefix.length, "0");
  }
  return text.padStart(width);
}

function signed(text: string, negative: boolean, plus: boolean, space: boolean): string {
  if (negative) return text;
  return plus ? `+${text}` : space ? ` ${text}` : text;
}

/** `fmt % args`: Python's printf-style string formatting. */
export function pyModulo(fmt: string, args: Py): string {
  const mapping = args instanceof PyDict ? args : null;
  const list = args instanceof PyTuple ? args.items : [args];
  let index = 0;
  const next = (): Py => {
    if (index >= list.length) throw typeError("not enough arguments for format string");
    return list[index++];
  };
  const out = fmt.replace(/%(?:\(([^)]*)\))?([-+ 0#]*)(\*|\d+)?(?:\.(\*|\d+))?([hlL]?)([diouxXeEfFgGcrsa%])/g, (_m, key: string | undefined, flags: string, w?: string, p?: string, _len?: string, conv?: string) => {
    if (conv === "%") return "%";
    const width = w === "*" ? Number(next()) : w ? Number(w) : 0;
    const precision = p === "*" ? Number(next()) : p !== undefined ? Number(p) : undefined;
    let value: Py;
    if (key !== undefined) {
      if (!mapping) throw typeError("format requires a mapping");
      if (!mapping.map.has(key)) throw new JinjaError("KeyError", repr(key));
      value = mapping.map.get(key)!;
    } else value = mapping && list.length === 1 ? mapping : next();
    if (value instanceof Undefined && conv !== "s") throw undefinedError(value);
    const left = flags.includes("-");
    const zero = flags.includes("0") && !left;
    const plus = flags.includes("+");
    const space = flags.includes(" ");
    const alt = flags.includes("#");
    let text: string;
    switch (conv) {
      case "s":
        text = str(value);
        if (precision !== undefined) text = text.slice(0, precision);
        return pad(text, width, left, false);
      case "r":
      case "a":
        text = repr(value);
        if (precision !== undefined) text = text.slice(0, precision);
        return pad(text, width, left, false);
      case "c":
        text = typeof value === "string" ? value : String.fromCodePoint(asInteger(value, "c"));
        return pad(text, width, left, false);
      case "d":
      case "i":
      case "u": {
        const n = asInteger(value, conv);
        text = signed(intStr(n), n < 0, plus, space);
        if (precision !== undefined) text = text.replace(/\d+/, (d) => d.padStart(precision, "0"));
        return pad(text, width, left, zero);
      }
      case "x":
      case "X":
      case "o": {
        const n = asInteger(value, conv);
        let digits = Math.abs(n).toString(conv === "o" ? 8 : 16);
        if (conv === "X") digits = digits.toUpperCase();
        if (alt) digits = (conv === "o" ? "0o" : conv === "x" ? "0x" : "0X") + digits;
        return pad(signed(n < 0 ? `-${digits}` : digits, n < 0, plus, space), width, left, zero);
      }
      default: {
        const x = asFloat(value);
        const prec = precision ?? 6;
        const lower = conv!.toLowerCase();
        text = lower === "f" ? formatFixed(x, prec) : lower === "e" ? formatExp(x, prec, conv === "E") : formatGeneral(x, prec, alt, conv === "G");
        if (conv === "F") text = text.toUpperCase();
        return pad(signed(text, text.startsWith("-"), plus, space), width, left, zero && Number.isFinite(x));
      }
    }
  });
  if (!mapping && index < list.length && !(args instanceof PyTuple && list.length === 0)) {
    throw typeError("not all arguments converted during string formatting");
  }
  return out;
}

function groupDigits(intPart: string, sep: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

/** format(value, spec): Python's format-spec mini-language. */
export function formatSpec(value: Py, spec: string): string {
  const m = /^(?:(.)?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/s.exec(spec);
  if (!m) throw valueError(`Invalid format specifier '${spec}' for object of type '${typeName(value)}'`);
  const [, fillChar, alignChar, sign, , alt, zeroFlag, widthText, grouping, precText, type] = m;
  const width = widthText ? Number(widthText) : 0;
  const precision = precText !== undefined ? Number(precText) : undefined;
  const fill = fillChar ?? (zeroFlag && !alignChar ? "0" : " ");
  let align = alignChar ?? (zeroFlag ? "=" : undefined);
  let body: string;
  let numeric = false;
  if (value instanceof Undefined) throw undefinedError(value);
  if (typeof value === "string" || !isNumber(value)) {
    if (type && type !== "s") throw valueError(`Unknown format code '${type}' for object of type '${typeName(value)}'`);
    body = str(value);
    if (precision !== undefined) body = body.slice(0, precision);
  } else {
    numeric = true;
    const x = num(value);
    const isInt = isIntLike(value);
    const t = type ?? (isInt ? "d" : "");
    if (isInt && "bcdoxXn".includes(t)) {
      if (t === "c") body = String.fromCodePoint(x);
      else {
        const radix = t === "b" ? 2 : t === "o" ? 8 : t === "x" || t === "X" ? 16 : 10;
        body = Math.abs(x).toString(radix);
        if (t === "X") body = body.toUpperCase();
        if (grouping && radix === 10) body = groupDigits(body, grouping);
        if (alt && radix !== 10) body = `0${t === "b" ? "b" : t === "o" ? "o" : t}${body}`;
        if (x < 0) body = `-${body}`;
      }
    } else if (!isInt && "bcdoxX".includes(t) && t !== "") {
      throw valueError(`Unknown format code '${t}' for object of type 'float'`);
    } else {
      const prec = precision ?? 6;
      if (t === "" && precision === undefined) body = isInt ? intStr(x) : floatRepr(x);
      else if (t === "" || t === "n") body = formatGeneral(x, precision ?? 12, !!alt);
      else if (t === "%") body = `${formatFixed(x * 100, prec)}%`;
      else if (t === "f" || t === "F") body = formatFixed(x, prec);
      else if (t === "e" || t === "E") body = formatExp(x, prec, t === "E");
      else body = formatGeneral(x, prec, !!alt, t === "G");
      if (t === "F" || t === "E" || t === "G") body = body.toUpperCase();
      if (grouping) body = body.replace(/^-?\d+/, (d) => (d.startsWith("-") ? `-${groupDigits(d.slice(1), grouping)}` : groupDigits(d, grouping)));
    }
    if (!body.startsWith("-")) body = sign === "+" ? `+${body}` : sign === " " ? ` ${body}` : body;
  }
  align ??= numeric ? ">" : "<";
  const length = Array.from(body).length;
  if (length >= width) return body;
  const gap = width - length;
  if (align === "<") return body + fill.repeat(gap);
  if (align === ">") return fill.repeat(gap) + body;
  if (align === "^") return fill.repeat(Math.floor(gap / 2)) + body + fill.repeat(gap - Math.floor(gap / 2));
  const signText = /^[+\- ]/.test(body) ? body[0] : "";
  return signText + fill.repeat(gap) + body.slice(signText.length);
}

/** str.format(*args, **kwargs); `getField` resolves `.attr` and `[key]` parts of a field name. */
export function strFormat(template: string, args: Py[], kwargs: Map<string, Py>, getField: (value: Py, part: string, index: boolean) => Py): string {
  let auto = 0;
  return template.replace(/\{\{|\}\}|\{([^{}!:]*)(?:!([rsa]))?(?::([^{}]*))?\}/g, (match, field: string | undefined, conv?: string, spec?: string) => {
    if (match === "{{") return "{";
    if (match === "}}") return "}";
    const [, head, rest] = /^([^.[]*)(.*)$/s.exec(field ?? "")!;
    let value: Py;
    if (head === "") {
      if (auto >= args.length) throw new JinjaError("IndexError", `Replacement index ${auto} out of range for positional args tuple`);
      value = args[auto++];
    } else if (/^\d+$/.test(head)) {
      const i = Number(head);
      if (i >= args.length) throw new JinjaError("IndexError", `Replacement index ${i} out of range for positional args tuple`);
      value = args[i];
    } else {
      if (!kwargs.has(head)) throw new JinjaError("KeyError", repr(head));
      value = kwargs.get(head)!;
    }
    for (const part of rest.matchAll(/\.([^.[]+)|\[([^\]]+)\]/g)) {
      value = part[1] !== undefined ? getField(value, part[1], false) : getField(value, /^\d+$/.test(part[2]) ? part[2] : part[2], true);
    }
    if (conv === "r" || conv === "a") value = repr(value);
    else if (conv === "s") value = str(value);
    return formatSpec(value, spec ?? "");
  });
}
