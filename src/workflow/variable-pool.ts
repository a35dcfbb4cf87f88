// The variable pool of one run (spec dify-dsl-and-nodes.md §2.3): values keyed by (node id, name),
// read by selectors [node_id, name, ...path]. `sys`, `env` and `conversation` are node ids like any
// other; a path goes into objects or a file's attributes. The Start node republishes the pool
// flattened (`sys.query`, `env.X`, ...) as its own outputs, so legacy selectors such as
// ["<start_id>", "sys.query"] resolve. The whole pool is plain JSON, checkpointed after every node.
import { isObject } from "../lib/json";
import { type FileValue, isFile, type Json } from "./segments";

export type Selector = string[];

const FILE_ATTRIBUTES: Record<string, (f: FileValue) => unknown> = {
  type: (f) => f.type,
  size: (f) => f.size,
  name: (f) => f.filename,
  mime_type: (f) => f.mime_type,
  transfer_method: (f) => f.transfer_method,
  url: (f) => f.url ?? f.remote_url,
  extension: (f) => f.extension,
  related_id: (f) => f.related_id,
};

export interface Lookup {
  found: boolean;
  value: unknown;
}

const MISSING: Lookup = { found: false, value: undefined };

export class VariablePool {
  private readonly values: Map<string, Map<string, unknown>>;

  constructor(snapshot: Record<string, Json> = {}) {
    this.values = new Map(Object.entries(snapshot).map(([node, vars]) => [node, new Map(Object.entries(vars))]));
  }

  set(nodeId: string, name: string, value: unknown): void {
    let vars = this.values.get(nodeId);
    if (!vars) this.values.set(nodeId, (vars = new Map()));
    vars.set(name, value);
  }

  /** Writes every output of a node. */
  setAll(nodeId: string, outputs: Json): void {
    for (const [name, value] of Object.entries(outputs)) this.set(nodeId, name, value);
  }

  /** The value at `selector`, or found: false when the node, the name or the path does not exist. */
  get(selector: Selector): Lookup {
    if (!Array.isArray(selector) || selector.length < 2) return MISSING;
    const [nodeId, name, ...path] = selector.map(String);
    const vars = this.values.get(nodeId);
    if (!vars || !vars.has(name)) return MISSING;
    let value = vars.get(name);
    for (const key of path) {
      if (isFile(value) && key in FILE_ATTRIBUTES) value = FILE_ATTRIBUTES[key](value);
      else if (isObject(value) && Object.hasOwn(value, key)) value = value[key];
      else return MISSING;
    }
    return { found: true, value };
  }

  value(selector: Selector): unknown {
    return this.get(selector).value;
  }

  has(selector: Selector): boolean {
    return this.get(selector).found;
  }

  /** Forgets a node's outputs (a loop round clears the nodes inside it). */
  clear(nodeId: string): void {
    this.values.delete(nodeId);
  }

  /** Every variable of `nodeId` (e.g. the conversation variables at the end of a run). */
  variablesOf(nodeId: string): Json {
    return Object.fromEntries(this.values.get(nodeId) ?? []);
  }

  snapshot(): Record<string, Json> {
    return Object.fromEntries([...this.values].map(([node, vars]) => [node, Object.fromEntries(vars)]));
  }

  /** A deep copy (an iteration item runs on its own copy). */
  copy(): VariablePool {
    return new VariablePool(structuredClone(this.snapshot()));
  }

  /** sys.*, env.* and conversation.* flattened, as the Start node republishes them. */
  flattenedSystem(): Json {
    const out: Json = {};
    for (const prefix of ["sys", "env", "conversation"]) {
      for (const [name, value] of this.values.get(prefix) ?? []) out[`${prefix}.${name}`] = value;
    }
    return out;
  }
}

/** A selector from DSL data (a list of strings), or null. */
export function asSelector(value: unknown): Selector | null {
  return Array.isArray(value) && value.length >= 2 && value.every((v) => typeof v === "string") ? (value as string[]) : null;
}
