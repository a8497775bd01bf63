/**
 * Re-validation of the whole inventory: when the trust store (Exchange Online's virtual certificate
 * collection) changes, every verdict may change with it — a CA added makes invalid certificates valid, a CA
 * removed the reverse.
 */
import { createEvent } from "../contracts/events.ts";
import { CursorNames, type Deps, eventSource } from "./deps.ts";
import { isRetired, type SweepResult, sweep } from "./scan-inventory.ts";

export type RevalidateAllDeps = Pick<Deps, "certificates" | "audit" | "bus" | "clock" | "logger">;

/**
 * Publishes `certificate.revalidationRequested` for every live certificate. `reason` and `now` are part of
 * each event's identity: a retry with the same pair publishes nothing new.
 */
export function revalidateAll(
  deps: RevalidateAllDeps,
  input: { reason: string; now: Date },
): Promise<SweepResult> {
  const options = { source: eventSource("revalidateAll"), time: deps.clock.now() };
  const requestedAt = input.now.toISOString();
  return sweep(deps, deps.certificates.scan(), (record) =>
    isRetired(record)
      ? []
      : [
          createEvent(
            "certificate.revalidationRequested",
            { userId: record.userId, thumbprint: record.thumbprint, reason: input.reason, requestedAt },
            options,
          ),
        ],
  );
}

export type RevalidateOnTrustChangeDeps = RevalidateAllDeps & Pick<Deps, "cursors" | "pki">;

export type TrustChangeResult =
  | { readonly changed: false; readonly fingerprint: string }
  | ({ readonly changed: true; readonly fingerprint: string } & SweepResult);

/**
 * Compares the trust store's fingerprint with the one the inventory was last re-validated against, and
 * re-validates everything when they differ (also on the very first run: nothing says what the existing
 * verdicts were made with).
 *
 * The start of a re-validation is written down before its events are published, with the time it began;
 * a run that dies half-way is finished by the next with that same time, so its events carry the same ids
 * and the certificates already asked for are not asked again.
 */
export async function revalidateOnTrustChange(
  deps: RevalidateOnTrustChangeDeps,
  input: { now: Date },
): Promise<TrustChangeResult> {
  const fingerprint = await deps.pki.trustStoreFingerprint();
  const done = await deps.cursors.get(CursorNames.trustStoreFingerprint);
  if (done?.value === fingerprint) return { changed: false, fingerprint };
  const startedAt = await beginRevalidation(deps, fingerprint, input.now);
  const reason = `trust store changed (${fingerprint.slice(0, 16)})`;
  const result = await revalidateAll(deps, { reason, now: startedAt });
  await deps.cursors.set(CursorNames.trustStoreFingerprint, fingerprint, input.now);
  deps.logger.info("trust store changed: every certificate re-validated", { fingerprint, ...result });
  return { changed: true, fingerprint, ...result };
}

/** When the re-validation for `fingerprint` began: an unfinished one's time, else `now` (recorded). */
async function beginRevalidation(deps: RevalidateOnTrustChangeDeps, fingerprint: string, now: Date) {
  const pending = await deps.cursors.get(CursorNames.trustStorePending);
  const [pendingFingerprint, pendingAt] = pending?.value.split(" ") ?? [];
  if (pendingFingerprint === fingerprint && pendingAt) return new Date(pendingAt);
  await deps.cursors.set(CursorNames.trustStorePending, `${fingerprint} ${now.toISOString()}`, now);
  return now;
}
