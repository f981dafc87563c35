import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Store } from "../store/store.js";
import { ServeConfigError } from "./errors.js";

/**
 * The settings key of the HTTP bearer token's SHA-256 digest. Only the digest is kept: a copy of
 * the database (a backup, a laptop left unlocked) does not give away a working token.
 */
export const TOKEN_HASH_SETTING = "http_token_sha256";
/** Where versions before the digest kept the token itself; migrated away on first use. */
export const LEGACY_TOKEN_SETTING = "http_token";

/** Where the HTTP token came from, so the startup message can say how to change it. */
export type TokenSource = "option" | "saved" | "generated";

/** The token in force: its digest for checking, and the token itself when it can still be shown. */
export interface ResolvedToken {
  /** The token, known when it was given, just generated, or migrated from plain text this once. */
  token: string | undefined;
  digest: Buffer;
  source: TokenSource;
}

/** A new random bearer token: 32 bytes from the CSPRNG, base64url (43 characters). */
export function generateToken(): string {
  return randomBytes(32).toString("base64url");
}

/** SHA-256 of a token. */
export function tokenDigest(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}

/**
 * The bearer token HTTP clients must send: the one given (`--token` / `CRM_TOKEN`), else the one
 * whose digest is saved in the store's settings, else a new one whose digest is saved there so it
 * survives restarts (clients configured once keep working). A saved token cannot be shown again;
 * `renew` replaces it with a new one that is.
 */
export async function resolveToken(
  store: Store,
  given: string | undefined,
  options: { renew?: boolean } = {},
): Promise<ResolvedToken> {
  if (given !== undefined) {
    if (given.trim() === "")
      throw new ServeConfigError(
        "the bearer token is empty; pass a non-empty --token or CRM_TOKEN, or leave both unset",
      );
    return { token: given, digest: tokenDigest(given), source: "option" };
  }
  const legacy = await store.getSetting(LEGACY_TOKEN_SETTING);
  if (legacy && !options.renew) {
    await saveDigest(store, legacy);
    return { token: legacy, digest: tokenDigest(legacy), source: "saved" };
  }
  const saved = await store.getSetting(TOKEN_HASH_SETTING);
  if (saved && !options.renew)
    return { token: undefined, digest: Buffer.from(saved, "hex"), source: "saved" };
  const token = generateToken();
  await saveDigest(store, token);
  return { token, digest: tokenDigest(token), source: "generated" };
}

async function saveDigest(store: Store, token: string): Promise<void> {
  await store.db.transaction(async () => {
    await store.setSetting(TOKEN_HASH_SETTING, tokenDigest(token).toString("hex"));
    await store.db.run("DELETE FROM settings WHERE key = ?", [LEGACY_TOKEN_SETTING]);
  });
}

/**
 * Checks a presented token against the digest in constant time: hashing first makes the
 * comparison take the same time whatever the lengths, and the real token's length does not leak.
 */
export function tokenMatches(presented: string, digest: Buffer): boolean {
  const candidate = tokenDigest(presented);
  return candidate.length === digest.length && timingSafeEqual(candidate, digest);
}

/** Compares two tokens in constant time (see `tokenMatches`). */
export function tokensEqual(presented: string, expected: string): boolean {
  return tokenMatches(presented, tokenDigest(expected));
}

/** The token in an `Authorization: Bearer <token>` header, or undefined when there is none. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  return match?.[1];
}
