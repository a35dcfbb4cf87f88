// D1 binds at most 100 parameters per statement; long id lists are split to stay under it.
export const D1_MAX_PARAMS = 99;

export function chunks<T>(items: T[], size: number): T[][] {
  const step = Math.max(1, Math.floor(size));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += step) out.push(items.slice(i, i + step));
  return out;
}
