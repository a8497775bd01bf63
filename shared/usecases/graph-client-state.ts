/**
 * The one check that tells a real Graph notification from a forged one: its `clientState` equals the secret
 * the subscription was created with (GRAPH_CLIENT_STATE).
 */
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares in constant time. Both values are hashed first: `timingSafeEqual` needs buffers of equal length,
 * and comparing digests also keeps the secret's length from showing in the timing. No secret configured
 * means no notification can be authentic.
 */
export function clientStateMatches(expected: string | undefined, received: string | undefined): boolean {
  if (!expected || received === undefined) return false;
  return timingSafeEqual(digest(expected), digest(received));
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
