/**
 * One channel of one notice: claim it in the ledger, respect Company Portal's rate, send through Graph,
 * record the outcome. Graph's errors decide what happens (shared/errors.ts): a RetryableError (429, 5xx,
 * network) gives the claim back and is thrown on so the bus retries; a PermanentError (another 4xx) is the
 * channel's `failed` outcome; a notice over the device limit is `deferred` to the moment there is room.
 */
import type { ManagedDevice } from "../contracts/graph.ts";
import type { NotificationKey, NotificationRecord } from "../contracts/rows.ts";
import type { Notice } from "../domain/notification-messages.ts";
import { PermanentError } from "../errors.ts";
import type { GraphDirectory, IntuneDevices, Logger, NotificationLedger } from "../ports.ts";
import { claimNotice, finishNotice, releaseNotice } from "./notification-claims.ts";
import { noticeMail } from "./notification-mail.ts";
import { reserveCompanyPortal } from "./notification-rate-slots.ts";

export interface DeliveryDeps {
  readonly notifications: NotificationLedger;
  readonly graph: Pick<GraphDirectory, "sendMail"> & Pick<IntuneDevices, "notifyCompanyPortal">;
  readonly logger: Logger;
}

export type ChannelOutcome =
  | { readonly status: "sent"; readonly sentAt: string; readonly repeated: boolean }
  | { readonly status: "failed"; readonly error: string; readonly repeated: boolean }
  | { readonly status: "dryRun"; readonly repeated: boolean }
  | { readonly status: "deferred"; readonly retryAt: Date };

export type Target =
  | { readonly channel: "companyPortal"; readonly devices: readonly ManagedDevice[] }
  | { readonly channel: "email"; readonly sender: string; readonly to: string; readonly name?: string };

/** What an already settled record says, for a redelivery: the same outcome, marked as a repeat. */
function settled(record: NotificationRecord): ChannelOutcome {
  if (record.status === "sent")
    return { status: "sent", sentAt: record.sentAt ?? record.claimedAt, repeated: true };
  if (record.status === "failed")
    return { status: "failed", error: record.error ?? "failed", repeated: true };
  return { status: "dryRun", repeated: true };
}

/** Delivers `notice` on `target`'s channel once, keyed by `key` (whose channel is the target's). */
export async function deliver(
  deps: DeliveryDeps,
  key: NotificationKey,
  target: Target,
  notice: Notice,
  options: { readonly now: Date; readonly dryRun: boolean },
): Promise<ChannelOutcome> {
  const claim = await claimNotice(deps.notifications, key, options.now, options.dryRun);
  if (!claim.claimed) return settled(claim.record);
  if (options.dryRun) return { status: "dryRun", repeated: false };
  try {
    if (target.channel === "companyPortal") {
      const room = await reserveCompanyPortal(
        deps.notifications,
        key.userId,
        target.devices.map((d) => d.id),
        options.now,
      );
      if (!room.reserved) {
        await releaseNotice(deps.notifications, claim.record, `deferred to ${room.retryAt.toISOString()}`);
        return { status: "deferred", retryAt: room.retryAt };
      }
    }
    await send(deps, key, target, notice, options.now);
  } catch (error) {
    if (!(error instanceof PermanentError)) {
      await releaseNotice(deps.notifications, claim.record, errorText(error));
      throw error;
    }
    const failed = await finishNotice(deps.notifications, claim.record, {
      status: "failed",
      error: errorText(error),
    });
    return { status: "failed", error: failed.error ?? "failed", repeated: false };
  }
  await finishNotice(deps.notifications, claim.record, { status: "sent", at: options.now });
  return { status: "sent", sentAt: options.now.toISOString(), repeated: false };
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function send(
  deps: DeliveryDeps,
  key: NotificationKey,
  target: Target,
  notice: Notice,
  now: Date,
): Promise<void> {
  if (target.channel === "email") {
    await deps.graph.sendMail(target.sender, noticeMail(key, target, notice, now));
    return;
  }
  await sendToDevices(deps, target.devices, notice);
}

/**
 * Every device gets the notice; a device Graph refuses for good (retired meanwhile) is skipped with a warning
 * as long as one device took it. All refusing is the channel's failure. A transient error on any device
 * retries the whole notice: the ledger has one record per channel, so a device that already had it may see
 * it twice — rarer and kinder than one that never sees it.
 */
async function sendToDevices(deps: DeliveryDeps, devices: readonly ManagedDevice[], notice: Notice) {
  const refused: string[] = [];
  for (const device of devices) {
    try {
      await deps.graph.notifyCompanyPortal(device.id, notice.companyPortal);
    } catch (error) {
      if (!(error instanceof PermanentError)) throw error;
      refused.push(`${device.id}: ${error.message}`);
      deps.logger.warn("Company Portal notice refused for a device", { deviceId: device.id, error });
    }
  }
  if (refused.length === devices.length)
    throw new PermanentError(`Company Portal refused: ${refused.join("; ")}`);
}
