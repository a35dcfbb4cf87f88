// A real headless Chromium for the page tests, from npm alone: @sparticuz/chromium ships the binary,
// playwright-core drives it. Its default flags are meant for serverless sandboxes and include some
// that would switch off exactly what the tests check (--disable-web-security, site isolation), so
// they are dropped. A fake microphone feeds voice input. Fonts: its own Open Sans, plus the
// machine's (emoji, CJK) when it has any, so screenshots look like a desktop browser's.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import chromium from "@sparticuz/chromium";
import { type Browser, chromium as playwright } from "playwright-core";

const DROPPED = new Set(["--disable-web-security", "--allow-running-insecure-content", "--disable-site-isolation-trials", "--single-process", "--no-zygote"]);

export async function launchBrowser(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const executablePath = await chromium.executablePath();
  const args = chromium.args.filter((arg) => !DROPPED.has(arg) && !arg.startsWith("--disable-features=IsolateOrigins"));
  args.push("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required");
  const fontDir = mkdtempSync(path.join(tmpdir(), "e2e-fonts-"));
  const dirs = [path.join(tmpdir(), "fonts"), "/usr/share/fonts", "/usr/local/share/fonts"].filter(existsSync);
  writeFileSync(
    path.join(fontDir, "fonts.conf"),
    `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>${dirs.map((d) => `<dir>${d}</dir>`).join("")}<cachedir>${fontDir}/cache</cachedir></fontconfig>`,
  );
  const browser = await playwright.launch({ executablePath, args, headless: true, env: { ...process.env, FONTCONFIG_PATH: fontDir } as Record<string, string> });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(fontDir, { recursive: true, force: true });
    },
  };
}
