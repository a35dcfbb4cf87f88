// code (spec §3.8): main(...) of the node's code with its variables, the result validated against the
// declared outputs (code/outputs.ts, Dify's rules and messages). python3 runs in a dify-sandbox
// (CODE_EXECUTION_ENDPOINT), as Dify runs it. javascript runs here, in QuickJS (code/quickjs.ts), even
// when a sandbox is configured: no network hop, limits we set, and nothing of the Worker reachable;
// unlike Dify's Node.js sandbox it has no Node built-ins (Buffer, require), and an async main is
// awaited. The QuickJS module loads on the first JavaScript node, not with the Worker.
import { isObject } from "../../lib/json";
import { checkOutputSchema, type OutputSchema, OutputValidator } from "../code/outputs";
import { runPythonInSandbox, sandboxSettings } from "../code/sandbox";
import { checkVariables, readVariables } from "../code/variables";
import { type NodeDefinition, NodeError } from "../types";

const LANGUAGES = ["python3", "javascript"];

export const codeNode: NodeDefinition = {
  type: "code",
  retries: true,
  async run({ node, pool, services, signal }) {
    const inputs = readVariables(node.data, pool);
    const code = typeof node.data.code === "string" ? node.data.code : "";
    const language = node.data.code_language;
    const settings = services.settings;
    let result: Record<string, unknown>;
    if (language === "javascript") {
      const { runJavaScript } = await import("../code/quickjs");
      result = await runJavaScript(code, inputs, { timeoutSeconds: settings.codeJsTimeout, memoryLimitMb: settings.codeJsMemoryLimitMb });
    } else if (language === "python3") {
      result = await runPythonInSandbox(sandboxSettings(settings), code, inputs, signal);
    } else {
      throw new NodeError(`Unsupported code language: ${String(language)}`, "CodeNodeError");
    }
    const schema = isObject(node.data.outputs) ? (node.data.outputs as Record<string, OutputSchema>) : {};
    return { inputs, outputs: new OutputValidator(settings).transform(result, schema) };
  },
  check(data) {
    if (!LANGUAGES.includes(String(data.code_language))) return `code_language must be python3 or javascript, not ${JSON.stringify(data.code_language ?? null)}`;
    if (typeof data.code !== "string") return "code must be a string";
    return checkVariables(data.variables) ?? checkOutputSchema(data.outputs);
  },
};
