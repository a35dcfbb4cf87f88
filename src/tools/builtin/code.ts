// Dify's in-core `code` provider: simple_code ("Code Interpreter") runs a snippet and returns what it
// printed (Dify's CodeExecutor.execute_code with no preload). JavaScript runs here in the workflow's
// QuickJS sandbox (no network, no Worker globals, CODE_EXECUTION_JS_* limits); python3 in the
// dify-sandbox at CODE_EXECUTION_ENDPOINT, as the code node runs it. Failures are ToolErrors with the
// executor's message, so an agent reads them as the observation.
import { getConfig } from "../../config";
import { runPythonScript, sandboxSettings } from "../../workflow/code/sandbox";
import type { Tool } from "../types";
import { ToolError } from "../types";
import { builtinTool, param, text } from "./define";

export function codeTools(): Tool[] {
  return [
    builtinTool(
      "code",
      {
        name: "simple_code",
        label: "Code Interpreter",
        description:
          "A tool for running code and getting the result back. Only native packages are allowed, network/IO operations are disabled. and you must use print() or console.log() to output the result or result will be empty.",
        parameters: [
          param("language", "string", { required: true, label: "Language", description: 'language of the code, only "python3" and "javascript" are supported', options: ["python3", "javascript"] }),
          param("code", "string", { required: true, label: "Code", description: "code to be executed, only native packages are allowed, network/IO operations are disabled." }),
        ],
      },
      async (args, context) => {
        const language = String(args.language ?? "python3");
        const code = typeof args.code === "string" ? args.code : String(args.code ?? "");
        if (language !== "python3" && language !== "javascript") throw new ToolError(`Only python3 and javascript are supported, not ${language}`);
        const settings = getConfig(context.env).workflow;
        try {
          if (language === "javascript") {
            const { runJavaScriptScript } = await import("../../workflow/code/quickjs");
            return text(await runJavaScriptScript(code, { timeoutSeconds: settings.codeJsTimeout, memoryLimitMb: settings.codeJsMemoryLimitMb }));
          }
          return text(await runPythonScript(sandboxSettings(settings), code, context.signal));
        } catch (err) {
          if (context.signal.aborted) throw context.signal.reason ?? err;
          throw new ToolError(err instanceof Error ? err.message : String(err));
        }
      },
    ),
  ];
}
