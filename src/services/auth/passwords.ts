// Account passwords: Dify's policy and storage encoding (api/libs/password.py; spec dify-web-auth.md
// §4.13–4.14) with PBKDF2-HMAC-SHA256 at 100,000 iterations (the Workers maximum) instead of Dify's 10,000.
import { base64ToBytes, bytesToBase64, timingSafeEqualStrings } from "../../lib/crypto";

export const PASSWORD_ITERATIONS = 100_000;
export const PASSWORD_RULE = /^(?=.*[a-zA-Z])(?=.*\d).{8,}$/s;
// Dify's text; the rule itself is "at least 8".
export const PASSWORD_RULE_MESSAGE = "Password must contain letters and numbers, and the length must be greater than 8.";
/** Far above any real password; bounds the work one request can ask for. */
export const PASSWORD_MAX_LENGTH = 256;

const encoder = new TextEncoder();

async function derive(password: string, salt: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(password), "PBKDF2", false, ["deriveBits"]);
  const bits = new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: PASSWORD_ITERATIONS }, key, 256));
  const hex = [...bits].map((b) => b.toString(16).padStart(2, "0")).join("");
  // Dify stores base64(hex digest); keeping its encoding keeps the column readable by its tools.
  return btoa(hex);
}

export async function hashPassword(password: string): Promise<{ password: string; passwordSalt: string }> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return { password: await derive(password, salt), passwordSalt: bytesToBase64(salt) };
}

// Unknown accounts and accounts without a password are checked against this, so a miss costs the
// same PBKDF2 work as a hit and response times do not tell which emails exist.
const DUMMY_SALT = new Uint8Array(16);

export async function verifyPassword(password: string, stored: { password: string | null; passwordSalt: string | null } | null): Promise<boolean> {
  if (!stored?.password || !stored.passwordSalt) {
    await derive(password, DUMMY_SALT);
    return false;
  }
  const actual = await derive(password, base64ToBytes(stored.passwordSalt));
  return timingSafeEqualStrings(actual, stored.password);
}
