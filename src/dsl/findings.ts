/** Collects problems (refuse the import) and warnings (import, but configuration is needed to run). */
export class Findings {
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  /** Dify model provider strings the app uses (resolved to registered providers at run time). */
  readonly modelProviders = new Set<string>();

  error(message: string): void {
    if (!this.errors.includes(message)) this.errors.push(message);
  }

  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }
}

