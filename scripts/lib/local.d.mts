export const root: string;
export const wranglerBin: string;
export const quietEnv: Record<string, string | undefined>;
export function freePort(): Promise<number>;
export function waitForHealth(base: string, timeoutMs?: number, isAlive?: () => boolean): Promise<void>;
export function readDevVars(): Record<string, string>;
