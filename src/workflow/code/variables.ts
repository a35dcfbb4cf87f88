// The `variables: [{variable, value_selector}]` list code and template-transform nodes share: each
// name bound to its selector's value, null when the pool has none (Dify passes None, not undefined).
import type { Json } from "../segments";
import { asSelector, type VariablePool } from "../variable-pool";

export function readVariables(data: Json, pool: VariablePool): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const entry of Array.isArray(data.variables) ? data.variables : []) {
    if (!entry || typeof entry !== "object" || typeof (entry as Json).variable !== "string") continue;
    const { variable, value_selector } = entry as Json;
    const selector = asSelector(value_selector);
    values[variable as string] = selector ? (pool.get(selector).value ?? null) : null;
  }
  return values;
}

/** Why a `variables` list can never be read, or null. */
export function checkVariables(variables: unknown): string | null {
  if (variables === undefined) return null;
  if (!Array.isArray(variables)) return "variables must be a list";
  for (const entry of variables) {
    if (!entry || typeof entry !== "object" || typeof (entry as Json).variable !== "string") return "each variable needs a name (variable)";
    const selector = (entry as Json).value_selector;
    // Dify accepts any list of names; one that selects nothing reads as null at run time.
    if (!Array.isArray(selector) || !selector.every((s) => typeof s === "string")) return `variable "${(entry as Json).variable}" needs a value_selector (a list of names)`;
  }
  return null;
}
