// The dify-sandbox client (CODE_EXECUTION_ENDPOINT): Dify's protocol and messages
// (core/helper/code_executor): POST {endpoint}/v1/sandbox/run with X-Api-Key and
// {language, code, preload, enable_network}, where `code` is a runner script that embeds the user's
// code, decodes the inputs from base64 JSON, calls main and prints the JSON result between
// <<RESULT>> markers; the answer is {code, message, data: {stdout, error}}. The endpoint is the
// operator's, so it is reached with plain fetch, not the SSRF-guarded one.
import { isObject } from "../../lib/json";
import { NodeError } from "../types";

export interface SandboxSettings {
  endpoint: string;
  apiKey: string;
  /** Seconds (CODE_EXECUTION_CONNECT_TIMEOUT, _READ_TIMEOUT, _WRITE_TIMEOUT). fetch() has one
   * timeout for the whole exchange, so their sum bounds it. */
  connectTimeout: number;
  readTimeout: number;
  writeTimeout: number;
}

export const executionError = (message: string) => new NodeError(message, "CodeExecutionError");

const RESULT_TAG = "<<RESULT>>";

function base64Json(value: unknown): string {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/**
 * Dify's python3 runner, in its shape: the user's code, then module-level `json` and `b64decode`
 * imports (code that uses json without importing it works, as in Dify), main(**inputs), the JSON
 * result indented by 4 between the markers.
 */
export function pythonRunner(code: string, inputs: Record<string, unknown>): string {
  return [
    code,
    "",
    "import json",
    "from base64 import b64decode",
    "",
    "# decode and prepare input dict",
    `inputs_obj = json.loads(b64decode('${base64Json(inputs)}').decode('utf-8'))`,
    "",
    "# execute main function",
    "output_obj = main(**inputs_obj)",
    "",
    "# convert output to json and print",
    "output_json = json.dumps(output_obj, indent=4)",
    `result = f'''${RESULT_TAG}{output_json}${RESULT_TAG}'''`,
    "print(result)",
    "",
  ].join("\n");
}

const SCIENTIFIC = /^-?\d+\.?\d*e[+-]\d+$/i;

/** Strings that look like scientific notation become floats again (Dify's post-processing). */
function restoreFloats(value: unknown): unknown {
  if (typeof value === "string" && SCIENTIFIC.test(value)) return Number(value);
  if (Array.isArray(value)) return value.map(restoreFloats);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restoreFloats(v)]));
  return value;
}

const pyName = (v: unknown) => (v === null ? "NoneType" : Array.isArray(v) ? "list" : typeof v === "string" ? "str" : typeof v === "boolean" ? "bool" : typeof v === "number" ? (Number.isInteger(v) ? "int" : "float") : "dict");

/** The result object a runner printed between the markers (transform_response). */
export function parseRunnerOutput(stdout: string): Record<string, unknown> {
  const match = /<<RESULT>>([\s\S]*)<<RESULT>>/.exec(stdout);
  if (!match) throw executionError(`Failed to parse result: no result tag found in response. Response: ${stdout.slice(0, 200)}...`);
  let result: unknown;
  try {
    result = JSON.parse(match[1]);
  } catch (err) {
    throw executionError(`Failed to parse JSON response: ${err instanceof Error ? err.message : String(err)}.`);
  }
  if (!isObject(result)) throw executionError(`Result must be a dict, got ${pyName(result)}`);
  return restoreFloats(result) as Record<string, unknown>;
}

const networkError = (detail: string) =>
  executionError(`Failed to execute code, which is likely a network issue, please check if the sandbox service is running. ( Error: ${detail} )`);

/** The sandbox settings of a run's workflow settings (config.workflow). */
export const sandboxSettings = (settings: {
  codeExecutionEndpoint: string;
  codeExecutionApiKey: string;
  codeConnectTimeout: number;
  codeReadTimeout: number;
  codeWriteTimeout: number;
}): SandboxSettings => ({
  endpoint: settings.codeExecutionEndpoint,
  apiKey: settings.codeExecutionApiKey,
  connectTimeout: settings.codeConnectTimeout,
  readTimeout: settings.codeReadTimeout,
  writeTimeout: settings.codeWriteTimeout,
});

/**
 * What python3 `script` printed, run as it is in the sandbox (Dify's CodeExecutor.execute_code);
 * throws CodeExecutionError with Dify's messages.
 */
export async function runPythonScript(settings: SandboxSettings, script: string, signal: AbortSignal): Promise<string> {
  if (!settings.endpoint) {
    throw executionError("Python code nodes need a code sandbox: set CODE_EXECUTION_ENDPOINT to a dify-sandbox compatible service (and CODE_EXECUTION_API_KEY).");
  }
  const timeout = AbortSignal.timeout((settings.connectTimeout + settings.readTimeout + settings.writeTimeout) * 1000);
  let response: Response;
  let body: string;
  try {
    response = await fetch(`${settings.endpoint}/v1/sandbox/run`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Api-Key": settings.apiKey },
      body: JSON.stringify({ language: "python3", code: script, preload: "", enable_network: true }),
      signal: AbortSignal.any([signal, timeout]),
    });
    if (response.status === 503) throw executionError("Code execution service is unavailable");
    if (response.status !== 200) {
      await response.body?.cancel();
      throw networkError(`Failed to execute code, got status code ${response.status}, please check if the sandbox service is running`);
    }
    body = await response.text();
  } catch (err) {
    if (err instanceof NodeError) throw err;
    if (timeout.aborted) throw networkError("timed out");
    if (signal.aborted) throw executionError("Code execution was stopped.");
    throw networkError(err instanceof Error ? err.message : String(err));
  }
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    throw executionError("Failed to parse response");
  }
  if (!isObject(answer)) throw executionError("Failed to parse response");
  if (answer.code !== 0) throw executionError(`Got error code: ${String(answer.code)}. Got error msg: ${String(answer.message)}`);
  const data = isObject(answer.data) ? answer.data : {};
  if (typeof data.error === "string" && data.error) throw executionError(data.error);
  return typeof data.stdout === "string" ? data.stdout : "";
}

/** Runs main(**inputs) of python3 `code` in the sandbox; its result object, or CodeExecutionError. */
export async function runPythonInSandbox(settings: SandboxSettings, code: string, inputs: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
  return parseRunnerOutput(await runPythonScript(settings, pythonRunner(code, inputs), signal));
}
