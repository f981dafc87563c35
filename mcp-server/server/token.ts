import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "../store/store.js";
import { ServeConfigError } from "./errors.js";

/** The settings key under which the generated HTTP bearer token is kept. */
export const TOKEN_SETTING = "http_token";

/** Where the HTTP token came from, so the startup message can say how to change it. */
export type TokenSource = "option" | "saved" | "generated";

/** A new random bearer token: 32 bytes from the CSPRNG, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/**
 * The bearer token HTTP clients must send: the one given (`--token` / `CRM_TOKEN`), else the one
 * saved in the store's settings, else a new one saved there so it survives restarts (clients
 * configured once keep working).
 */
export async function resolveToken(
  store: Store,
  given: string | undefined,
): Promise<{ token: string; source: TokenSource }> {
  if (given !== undefined) {
    if (given.trim() === "")
      throw new ServeConfigError(
        "the bearer token is empty; pass a non-empty --token or CRM_TOKEN, or leave both unset",
      );
    return { token: given, source: "option" };
  }
  const saved = await store.getSetting(TOKEN_SETTING);
  if (saved) return { token: saved, source: "saved" };
  const token = generateToken();
  await store.setSetting(TOKEN_SETTING, token);
  return { token, source: "generated" };
}

/**
 * Compares tokens in constant time. Both sides are hashed first so the comparison takes the same
 * time whatever the lengths, and the length of the real token does not leak either.
 */
export function tokensEqual(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token in an `Authorization: Bearer <token>` header, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  return match?.[1];
}
