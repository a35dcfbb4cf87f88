// Web API passports: HS256 JWTs signed with SECRET_KEY carrying Dify's claims, so a token is
// verifiable exactly as Dify verifies its own (api/libs/passport.py; spec dify-web-auth.md §2.2–2.3).
import { errors, jwtVerify, SignJWT } from "jose";
import { Unauthorized } from "../../lib/errors";
import { hmacKey } from "../../lib/crypto";

export const PASSPORT_SUBJECT = "Web API Passport";

export interface Passport {
  iss: string;
  sub: string;
  app_id: string;
  app_code: string;
  end_user_id: string;
  /** Set on passports exchanged from a web-app login (non-public apps). */
  user_id?: string;
  auth_type?: "internal" | "external";
  granted_at?: number;
  token_source?: string;
  exp?: number;
}

export async function signToken(secretKey: string, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(await hmacKey(secretKey));
}

/** Verifies an HS256 token (no other algorithm is accepted); failures are 401 with Dify's messages. */
export async function verifyToken<T>(secretKey: string, token: string): Promise<T> {
  try {
    const { payload } = await jwtVerify(token, await hmacKey(secretKey), { algorithms: ["HS256"] });
    return payload as T;
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new Unauthorized("Token has expired.");
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new Unauthorized("Invalid token signature.");
    throw new Unauthorized("Invalid token.");
  }
}

export async function verifyPassport(secretKey: string, token: string): Promise<Passport> {
  const claims = await verifyToken<Partial<Passport>>(secretKey, token);
  if (typeof claims.app_id !== "string" || typeof claims.end_user_id !== "string" || typeof claims.app_code !== "string") {
    throw new Unauthorized("Invalid token.");
  }
  return claims as Passport;
}
