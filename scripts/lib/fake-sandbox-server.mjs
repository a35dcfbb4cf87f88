// A fake dify-sandbox on 127.0.0.1 for the tests (the vitest pool reaches it through its outbound
// service, the end-to-end tests directly). It speaks dify-sandbox's protocol: X-Api-Key checked
// before any /v1/sandbox route (an empty 401 otherwise), POST /v1/sandbox/run with
// {language, code, preload, enable_network}, answers {code, message, data: {stdout, error}}, a -400
// answer for a missing field or an unsupported language, gin's "404 page not found" elsewhere.
// It cannot run Python: it reads the runner Dify sends (the user's code before the runner's imports,
// the inputs as base64 JSON in b64decode('…')) and answers the programs it knows by their source,
// printing the result between <<RESULT>> markers as json.dumps(indent=4) does. A script that is not a
// runner (Dify's code tool sends the snippet as it is) is answered by a program entry whose `code` is
// the whole script, with its stdout/error.
//
// Each test opens its own session (POST /_fake/sessions with its programs → {api_key}); the key is
// the session, so concurrent test files do not see each other's calls, and any other key is wrong.
import { createServer } from "node:http";

const RUNNER_TAIL = "\n\nimport json\nfrom base64 import b64decode\n";

/** The python programs of the Dify fixtures, by source (their results depend on the inputs). */
const FIXTURE_PROGRAMS = {
  '\ndef main() -> dict:\n    return {\n        "result": [1, 2, 3],\n    }\n': () => ({ result: [1, 2, 3] }),
  '\ndef main(arg1: int) -> dict:\n    return {\n        "result": [arg1, arg1 * 2],\n    }\n': ({ arg1 }) => ({ result: [arg1, arg1 * 2] }),
};

const json = (res, status, body) => res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
const sandboxAnswer = (res, data) => json(res, 200, { code: 0, message: "success", data: { error: "", stdout: "", ...data } });
const sameJson = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Reads a runner script as dify-sandbox's Python would run it: the user's code and the inputs. */
function readRunner(code) {
  const tail = code.lastIndexOf(RUNNER_TAIL);
  if (tail < 0) return null;
  const encoded = /b64decode\('([A-Za-z0-9+/=]*)'\)/.exec(code.slice(tail))?.[1];
  if (encoded === undefined) return null;
  return { userCode: code.slice(0, tail), inputs: JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) };
}

/**
 * Program entries a session answers, first match wins: {code, inputs?} selects, then one of
 * result (an object printed as the runner prints it), stdout/error (the sandbox's data as given),
 * or status + body (an HTTP answer instead of the protocol's), optionally after delayMs.
 */
function answerFor(session, userCode, inputs) {
  const entry = session.programs.find((p) => p.code === userCode && (p.inputs === undefined || sameJson(p.inputs, inputs)));
  if (entry) return entry;
  const fixture = FIXTURE_PROGRAMS[userCode];
  if (fixture) return { result: fixture(inputs) };
  return { error: `fake sandbox: no known program for ${JSON.stringify(userCode.slice(0, 80))}` };
}

export async function startFakeSandbox() {
  const sessions = new Map();
  let counter = 0;
  const server = createServer((req, res) => {
    let raw = "";
    req.setEncoding("utf8");
    req.on("data", (d) => (raw += d));
    req.on("end", async () => {
      const url = new URL(req.url, "http://sandbox");
      if (url.pathname === "/_fake/sessions" && req.method === "POST") {
        const apiKey = `fake-sandbox-${++counter}-${Math.random().toString(36).slice(2)}`;
        sessions.set(apiKey, { programs: JSON.parse(raw || "{}").programs ?? [], calls: [] });
        return json(res, 201, { api_key: apiKey });
      }
      const callsOf = /^\/_fake\/sessions\/([^/]+)\/calls$/.exec(url.pathname);
      if (callsOf && req.method === "GET") return json(res, 200, sessions.get(callsOf[1])?.calls ?? []);
      if (url.pathname === "/health") return res.writeHead(200, { "Content-Type": "application/json" }).end('"ok"');
      if (!url.pathname.startsWith("/v1/sandbox/")) return res.writeHead(404, { "Content-Type": "text/plain" }).end("404 page not found");
      const session = sessions.get(req.headers["x-api-key"] ?? "");
      if (!session) return res.writeHead(401).end();
      if (req.method !== "POST" || url.pathname !== "/v1/sandbox/run") return res.writeHead(404, { "Content-Type": "text/plain" }).end("404 page not found");
      let body = null;
      try {
        body = JSON.parse(raw);
      } catch {
        // answered below like a body without its fields
      }
      if (!body || typeof body.language !== "string" || !body.language) {
        return json(res, 200, { code: -400, message: "Key: 'Language' Error:Field validation for 'Language' failed on the 'required' tag", data: null });
      }
      if (typeof body.code !== "string" || !body.code) {
        return json(res, 200, { code: -400, message: "Key: 'Code' Error:Field validation for 'Code' failed on the 'required' tag", data: null });
      }
      if (body.language !== "python3") return json(res, 400, { code: -400, message: "unsupported language", data: null });
      const runner = readRunner(body.code);
      session.calls.push({
        language: body.language,
        preload: body.preload,
        enable_network: body.enable_network,
        contentType: req.headers["content-type"] ?? "",
        userCode: runner?.userCode ?? body.code,
        inputs: runner?.inputs ?? null,
      });
      const answer = runner ? answerFor(session, runner.userCode, runner.inputs) : answerFor(session, body.code, undefined);
      if (answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
      if (res.destroyed) return;
      if (answer.status !== undefined) {
        return res.writeHead(answer.status, { "Content-Type": "application/json" }).end(typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body ?? null));
      }
      if (answer.result !== undefined) return sandboxAnswer(res, { stdout: `<<RESULT>>${JSON.stringify(answer.result, null, 4)}<<RESULT>>\n` });
      return sandboxAnswer(res, { stdout: answer.stdout ?? "", error: answer.error ?? "" });
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    /** Opens a session with its programs; the key to send as X-Api-Key. */
    async session(programs = []) {
      const res = await fetch(`${url}/_fake/sessions`, { method: "POST", body: JSON.stringify({ programs }) });
      return (await res.json()).api_key;
    },
    calls: (apiKey) => sessions.get(apiKey)?.calls ?? [],
    /** Stops listening and drops kept-alive connections: the port refuses connections from then on. */
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
