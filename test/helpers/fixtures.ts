// Dify DSL exports used as test material (test/fixtures/dify-dsl, copied from upstream Dify) and our demo apps.
const dsl = import.meta.glob("../fixtures/dify-dsl/*.yml", { query: "?raw", import: "default", eager: true }) as Record<string, string>;
const demos = import.meta.glob("../../demo-apps/*.yml", { query: "?raw", import: "default", eager: true }) as Record<string, string>;

export const FIXTURE_NAMES = Object.keys(dsl).map((p) => p.split("/").pop()!.replace(/\.yml$/, "")).sort();

export function fixture(name: string): string {
  const text = dsl[`../fixtures/dify-dsl/${name}.yml`];
  if (text === undefined) throw new Error(`no fixture ${name}`);
  return text;
}

export function demoApp(name: string): string {
  const text = demos[`../../demo-apps/${name}.yml`];
  if (text === undefined) throw new Error(`no demo app ${name}`);
  return text;
}
