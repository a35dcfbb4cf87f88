export interface LocalServer {
  base: string;
  adminKey: string;
  secretKey: string;
  pid: number;
  output(): string;
  stop(): Promise<void>;
}
export function startServer(options?: { vars?: Record<string, string>; logLevel?: string }): Promise<LocalServer>;
export function importApp(server: LocalServer, yaml: string): Promise<{ app_id: string; site_code: string; mode: string; name: string; warnings: string[] }>;
export function getPassport(server: LocalServer, code: string, userId?: string): Promise<string>;
