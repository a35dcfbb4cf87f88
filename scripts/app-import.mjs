#!/usr/bin/env node
// `npm run app:import -- <file.yml> [--url <base>] [--key <admin key>]`: imports a Dify DSL file
// through the admin API (the key defaults to ADMIN_API_KEY in .dev.vars).
import { readFileSync } from "node:fs";
import { adminFetch, readDevVars, takeFlag } from "./lib/local.mjs";

const { value: url, rest: afterUrl } = takeFlag(process.argv.slice(2), ["--url"]);
const { value: keyFlag, rest: files } = takeFlag(afterUrl, ["--key"]);
const base = (url ?? "http://127.0.0.1:8787").replace(/\/+$/, "");
const key = keyFlag ?? process.env.ADMIN_API_KEY ?? readDevVars().ADMIN_API_KEY;
if (files.length === 0 || !key) {
  console.error("usage: npm run app:import -- <file.yml> [more.yml ...] [--url http://127.0.0.1:8787] [--key <ADMIN_API_KEY>]");
  if (!key) console.error("no admin key: pass --key, set ADMIN_API_KEY, or run `npm run dev` once to create .dev.vars");
  process.exit(2);
}
let failed = false;
for (const file of files) {
  const { status, body } = await adminFetch(base, key, "/admin/apps/import", {
    method: "POST",
    headers: { "Content-Type": "application/yaml" },
    body: readFileSync(file, "utf8"),
  });
  if (status === 201) {
    console.log(`${file}: imported "${body.name}" (${body.mode}) app_id ${body.app_id}, share code ${body.site_code}`);
    for (const warning of body.warnings) console.log(`  warning: ${warning}`);
    console.log(`  curl -s -H 'X-App-Code: ${body.site_code}' ${base}/api/passport`);
  } else {
    failed = true;
    console.error(`${file}: ${status} ${typeof body === "string" ? body : `${body.code}: ${body.message}`}`);
  }
}
process.exit(failed ? 1 : 0);
