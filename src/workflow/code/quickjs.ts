// JavaScript code nodes in QuickJS (wasm) inside the Worker, set up as workflow-deps.md measured:
// the release-sync variant built from its precompiled module (`…/wasm`, a CompiledWasm rule in
// wrangler.toml; getQuickJS() would fetch the wasm and fails in workerd). Each run gets a fresh
// runtime and context holding nothing but the language: no fetch, env, bindings, timers or the
// Worker's globals; `console` is a no-op so debugging calls do not throw. Limits:
// - CPU (CODE_EXECUTION_JS_TIMEOUT): a budget of interrupt-handler calls. QuickJS calls the handler
//   every 10 000 loop iterations or function calls, so the budget is deterministic, and it holds on
//   deployed Workers, where Date.now() stands still during CPU work. A wall-clock deadline of the
//   same length stops a run sooner where the clock does move (locally); limits.cpu_ms stays the hard
//   stop for work between interrupt checks.
// - Memory (CODE_EXECUTION_JS_MEMORY_LIMIT_MB): setMemoryLimit refuses single large allocations, but
//   this build cannot measure block sizes (malloc_usable_size is unavailable), so many small
//   allocations pass it: a loop pushing 1 KB strings grew the heap to 1 GiB. The wasm Memory itself
//   is therefore capped (its initial 16 MiB plus the limit), which makes malloc fail and QuickJS throw
//   "out of memory".
// After an interrupt, an out-of-memory or any failure of the engine itself the module is dropped and
// the next run instantiates a fresh one (the heap never shrinks), as it is after a run that grew it.
import variant from "@jitl/quickjs-wasmfile-release-sync";
import wasmModule from "@jitl/quickjs-wasmfile-release-sync/wasm";
import { type QuickJSContext, type QuickJSHandle, type QuickJSWASMModule, newQuickJSWASMModuleFromVariant, newVariant } from "quickjs-emscripten-core";
import { executionError, parseRunnerOutput } from "./sandbox";

const PAGE = 64 * 1024;
const MiB = 1024 * 1024;
/** The module's own minimum heap (it refuses a smaller Memory). */
const BASE_HEAP_BYTES = 16 * MiB;
const STACK_BYTES = 256 * 1024;
/**
 * Interrupt-handler calls per second of CPU. How long 10 000 steps take depends on what a loop does;
 * measured in the real bundle under `wrangler dev` (2 cores): 0.27 ms per call for an empty
 * `for (;;) {}`, 0.36 ms for `i++`, 0.9 ms for a function call per iteration, 1.2 ms for array pushes,
 * and 2 ms or more for string or property work (the wall-clock deadline ended those runs). At 500 a
 * second the default 5 s stops an empty loop after about 1.4 s and one doing string work after 5 s or
 * more: erring short, because the isolate's CPU limit, the stop behind this one, ends the whole run.
 */
export const INTERRUPTS_PER_SECOND = 500;

export interface JavaScriptLimits {
  /** CODE_EXECUTION_JS_TIMEOUT, seconds. */
  timeoutSeconds: number;
  /** CODE_EXECUTION_JS_MEMORY_LIMIT_MB. */
  memoryLimitMb: number;
}

let cached: { memoryLimitMb: number; module: Promise<QuickJSWASMModule> } | null = null;

function quickjs(memoryLimitMb: number): Promise<QuickJSWASMModule> {
  if (cached?.memoryLimitMb === memoryLimitMb) return cached.module;
  const maximum = (BASE_HEAP_BYTES + memoryLimitMb * MiB) / PAGE;
  const module = newQuickJSWASMModuleFromVariant(
    newVariant(variant, { wasmModule, wasmMemory: new WebAssembly.Memory({ initial: BASE_HEAP_BYTES / PAGE, maximum }) }),
  );
  const entry = { memoryLimitMb, module };
  cached = entry;
  module.catch(() => {
    if (cached === entry) cached = null;
  });
  return module;
}

const drop = (memoryLimitMb: number) => {
  if (cached?.memoryLimitMb === memoryLimitMb) cached = null;
};

/**
 * The current module. A run is synchronous once it has its module, but two runs may wait for the same
 * one and the first may drop it (after an interrupt or out-of-memory): the second then takes the next.
 */
async function currentModule(memoryLimitMb: number): Promise<QuickJSWASMModule> {
  for (;;) {
    const promise = quickjs(memoryLimitMb);
    const module = await promise;
    if (cached?.module === promise) return module;
  }
}

const PRELUDE = "globalThis.console = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} };";
// Dify's nodejs runner calls main with one object argument and prints JSON.stringify of its result;
// an async main is awaited here (Dify would print "{}").
const CALL_MAIN = `(() => {
  const inputs = JSON.parse(globalThis.__dify_inputs__);
  delete globalThis.__dify_inputs__;
  return Promise.resolve(main(inputs)).then((output) => "<<RESULT>>" + JSON.stringify(output) + "<<RESULT>>");
})()`;

function describe(ctx: QuickJSContext, handle: QuickJSHandle): string {
  try {
    const error = ctx.dump(handle) as unknown;
    if (error && typeof error === "object" && "message" in error) {
      const { name, message, stack } = error as { name?: string; message?: string; stack?: string };
      const frames = (stack ?? "").split("\n").filter((l) => l.trim()).slice(0, 10).join("\n");
      return `${name ?? "Error"}: ${message ?? ""}${frames ? `\n${frames}` : ""}`;
    }
    return `Uncaught ${JSON.stringify(error) ?? String(error)}`;
  } catch {
    return "InternalError: out of memory";
  }
}

/** Runs `main(inputs)` of `code`; the result object, or a CodeExecutionError. */
export async function runJavaScript(code: string, inputs: Record<string, unknown>, limits: JavaScriptLimits): Promise<Record<string, unknown>> {
  const module = await currentModule(limits.memoryLimitMb);
  const runtime = module.newRuntime();
  let stopped = false;
  let engineFailed = true;
  const ctx = runtime.newContext();
  const stopError = () =>
    executionError(`JavaScript code stopped: it ran longer than ${limits.timeoutSeconds} s of CPU (CODE_EXECUTION_JS_TIMEOUT). Does a loop never end?`);
  try {
    runtime.setMemoryLimit(limits.memoryLimitMb * MiB);
    runtime.setMaxStackSize(STACK_BYTES);
    const budget = limits.timeoutSeconds * INTERRUPTS_PER_SECOND;
    const deadline = Date.now() + limits.timeoutSeconds * 1000;
    let calls = 0;
    runtime.setInterruptHandler(() => {
      // Once stopped, every later check interrupts too: nothing of the program runs again.
      if (++calls > budget || Date.now() > deadline) stopped = true;
      return stopped;
    });
    const failure = (handle: QuickJSHandle): Error => {
      const text = describe(ctx, handle);
      handle.dispose();
      if (stopped) return stopError();
      if (/^InternalError: out of memory/.test(text)) return executionError(`JavaScript code ran out of memory (limit ${limits.memoryLimitMb} MiB, CODE_EXECUTION_JS_MEMORY_LIMIT_MB).`);
      if (/^InternalError: stack overflow/.test(text)) return executionError("InternalError: stack overflow (too deep recursion?)");
      engineFailed = false;
      return executionError(text);
    };
    const run = (source: string, filename: string): QuickJSHandle => {
      const result = ctx.evalCode(source, filename);
      if (result.error) throw failure(result.error);
      return result.value;
    };
    run(PRELUDE, "prelude.js").dispose();
    const json = ctx.newString(JSON.stringify(inputs));
    ctx.setProp(ctx.global, "__dify_inputs__", json);
    json.dispose();
    run(code, "main.js").dispose();
    const promise = run(CALL_MAIN, "runner.js");
    for (;;) {
      const jobs = runtime.executePendingJobs();
      if (jobs.error) {
        promise.dispose();
        throw failure(jobs.error);
      }
      if (jobs.value === 0) break;
    }
    const state = ctx.getPromiseState(promise);
    promise.dispose();
    // An async main interrupted mid-way leaves its promise chain pending (the interrupt also stops
    // the reaction that would settle it).
    if (stopped) {
      if (state.type === "fulfilled" || state.type === "rejected") (state.type === "fulfilled" ? state.value : state.error).dispose();
      throw stopError();
    }
    if (state.type === "pending") {
      engineFailed = false;
      throw executionError("main() returned a promise that never settled.");
    }
    if (state.type === "rejected") throw failure(state.error);
    const stdout = ctx.getString(state.value);
    state.value.dispose();
    engineFailed = false;
    return parseRunnerOutput(stdout.replace("<<RESULT>>undefined<<RESULT>>", "<<RESULT>><<RESULT>>"));
  } finally {
    if (engineFailed) {
      // The runtime may be in any state: drop the whole module, do not touch it again.
      drop(limits.memoryLimitMb);
    } else {
      ctx.dispose();
      runtime.dispose();
      if (module.getWasmMemory().buffer.byteLength > BASE_HEAP_BYTES + (limits.memoryLimitMb * MiB) / 2) drop(limits.memoryLimitMb);
    }
  }
}

// A script run for what it prints (Dify's code tool, simple_code): the source is evaluated as a
// global script with console.* collecting lines, as a Node.js process would print them.
const SCRIPT_MAIN = `function main({ source }) {
  const lines = [];
  const show = (value) => {
    if (typeof value === "string") return value;
    try {
      return JSON.stringify(value) ?? String(value);
    } catch {
      return String(value);
    }
  };
  const print = (...args) => {
    lines.push(args.map(show).join(" "));
  };
  globalThis.console = { log: print, info: print, warn: print, error: print, debug: print, trace: print };
  (0, eval)(source);
  return { get stdout() { return lines.length ? lines.join("\\n") + "\\n" : ""; } };
}`;

/** What `script` printed with console.log (its promise jobs included), or a CodeExecutionError. */
export async function runJavaScriptScript(script: string, limits: JavaScriptLimits): Promise<string> {
  const result = await runJavaScript(SCRIPT_MAIN, { source: script }, limits);
  return typeof result.stdout === "string" ? result.stdout : "";
}
