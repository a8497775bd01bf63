/**
 * onNotification's use case: a `notification.requested` message → the user told once per channel, in their
 * language (issue 5 item 1).
 *
 * Recipe: parse the message; read the user (language, address) and their managed devices from Graph; choose
 * the channels (NOTIFY_CHANNEL; e-mail when no iOS/Android device); per channel, deliver once through the
 * ledger; publish `notification.sent` / `notification.failed`; schedule a notice that hit Company Portal's
 * device limit for when there is room. A redelivery finds the ledger settled and sends nothing, but publishes
 * the outcome again: its event id is the same, so the audit ledger keeps one line, and an outcome whose
 * publication was lost to a crash is published after all.
 */
import type { NotifyChannelSetting } from "../config.ts";
import { createEvent, type EventData, type PipelineEvent, parseEvent } from "../contracts/events.ts";
import type { NotificationKey } from "../contracts/rows.ts";
import { composeNotice, languageOf } from "../domain/notification-messages.ts";
import { PoisonMessageError } from "../errors.ts";
import type {
  GraphDirectory,
  IntuneDevices,
  NotificationLedger,
  ReceivedMessage,
  UserStore,
} from "../ports.ts";
import { recordNotification } from "../telemetry/metrics.ts";
import { type Deps, eventSource } from "./deps.ts";
import { type Channel, chooseChannels, mobileDevices } from "./notification-channels.ts";
import { type ChannelOutcome, deliver, type Target } from "./notification-delivery.ts";
import { recipientOf } from "./notification-recipient.ts";
import { type PublishDeps, publishEvents } from "./publish-events.ts";

/** The settings onNotification reads (NOTIFY_CHANNEL, MAIL_SENDER, DRY_RUN). */
export interface NotifySettings {
  readonly channel: NotifyChannelSetting;
  readonly mailSender?: string;
  readonly dryRun: boolean;
}

export type SendNotificationDeps = PublishDeps &
  Pick<Deps, "logger"> & {
    readonly users: Pick<UserStore, "get">;
    readonly notifications: NotificationLedger;
    readonly graph: Pick<GraphDirectory, "sendMail" | "getUser"> &
      Pick<IntuneDevices, "userDevices" | "notifyCompanyPortal">;
    readonly notify: NotifySettings;
  };

export interface SendNotificationResult {
  /** The id of the request (without any deferral): `requestId` of the events published. */
  readonly requestId: string;
  /** Per channel; `skipped` when the ledger says an earlier delivery settled it. */
  readonly outcomes: Partial<Record<Channel, ChannelOutcome["status"] | "skipped">>;
  /** Set when the user is gone or disabled: nothing was sent. */
  readonly skipped?: string;
}

const SOURCE = eventSource("onNotification");
type Request = EventData<"notification.requested">;

function requestOf(message: ReceivedMessage): Extract<PipelineEvent, { type: "notification.requested" }> {
  const parsed = parseEvent(message.body);
  if (!parsed.ok) throw new PoisonMessageError("UnparseableEvent", parsed.error);
  if (parsed.event.type !== "notification.requested")
    throw new PoisonMessageError("UnexpectedEventType", `onNotification got ${parsed.event.type}`);
  return parsed.event;
}

/** The id of the original request: a deferred copy carries `deferredUntil`, which is not part of the notice. */
function requestIdOf(data: Request, time: Date): string {
  const { deferredUntil: _deferred, ...original } = data;
  return createEvent("notification.requested", original, { source: SOURCE, time }).id;
}

const keyOf = (data: Request, channel: Channel): NotificationKey => ({
  userId: data.userId,
  subjectId: data.thumbprint ?? data.operationId ?? data.userId,
  reason: data.reason,
  thresholdDays: data.thresholdDays ?? 0,
  channel,
});

/**
 * Handles one `notification.requested` message.
 * @throws PoisonMessageError for a message that is no such event
 * @throws PermanentError for a user neither the inventory nor Graph knows
 * @throws RetryableError when Graph or a store is throttled or unavailable (the bus retries later)
 */
export async function sendNotification(
  deps: SendNotificationDeps,
  message: ReceivedMessage,
): Promise<SendNotificationResult> {
  const event = requestOf(message);
  const data = event.data;
  const now = deps.clock.now();
  const requestId = requestIdOf(data, now);
  const user = await recipientOf(deps, data.userId);
  if (user.deleted || !user.accountEnabled)
    return { requestId, outcomes: {}, skipped: user.deleted ? "user deleted" : "account disabled" };

  const devices = mobileDevices(await deps.graph.userDevices(data.userId));
  const choices = chooseChannels({
    setting: deps.notify.channel,
    mobileDevices: devices.length,
    ...(deps.notify.mailSender ? { mailSender: deps.notify.mailSender } : {}),
    ...(user.primarySmtp ? { recipient: user.primarySmtp } : {}),
  });
  const notice = composeNotice({
    reason: data.reason,
    language: languageOf(user.preferredLanguage),
    ...(user.displayName ? { displayName: user.displayName } : {}),
    ...(data.thresholdDays !== undefined ? { thresholdDays: data.thresholdDays } : {}),
    ...(data.notAfter ? { notAfter: data.notAfter } : {}),
    problemCodes: (data.problems ?? []).filter((p) => p.severity === "error").map((p) => p.code),
    now,
  });

  const outcomes: SendNotificationResult["outcomes"] = {};
  for (const choice of choices) {
    if (choice.unavailable) {
      outcomes[choice.channel] = "failed";
      await publishOutcome(deps, data, requestId, choice.channel, {
        status: "failed",
        error: choice.unavailable,
        repeated: false,
      });
      continue;
    }
    const target: Target =
      choice.channel === "companyPortal"
        ? { channel: "companyPortal", devices }
        : {
            channel: "email",
            sender: deps.notify.mailSender ?? "",
            to: user.primarySmtp ?? "",
            ...(user.displayName ? { name: user.displayName } : {}),
          };
    const outcome = await deliver(deps, keyOf(data, choice.channel), target, notice, {
      now,
      dryRun: deps.notify.dryRun,
    });
    outcomes[choice.channel] = "repeated" in outcome && outcome.repeated ? "skipped" : outcome.status;
    if (outcome.status === "deferred") await defer(deps, data, outcome.retryAt, now);
    else await publishOutcome(deps, data, requestId, choice.channel, outcome);
  }
  return { requestId, outcomes };
}

/** Sends the same notice again at `retryAt`; the deferral is in its id, so duplicate detection lets it in. */
async function defer(deps: SendNotificationDeps, data: Request, retryAt: Date, now: Date): Promise<void> {
  const later = createEvent(
    "notification.requested",
    { ...data, deferredUntil: retryAt.toISOString() },
    { source: SOURCE, time: now },
  );
  await deps.bus.schedule("notifications", later, retryAt);
  deps.logger.info("Company Portal notice deferred: device limit reached", {
    userId: data.userId,
    retryAt: retryAt.toISOString(),
  });
}

async function publishOutcome(
  deps: SendNotificationDeps,
  data: Request,
  requestId: string,
  channel: Channel,
  outcome: ChannelOutcome,
): Promise<void> {
  recordNotification(channel, outcome);
  const time = deps.clock.now();
  if (outcome.status === "sent")
    await publishEvents(deps, [
      createEvent(
        "notification.sent",
        { requestId, userId: data.userId, channel, sentAt: outcome.sentAt },
        { source: SOURCE, time },
      ),
    ]);
  if (outcome.status === "failed")
    await publishEvents(deps, [
      createEvent(
        "notification.failed",
        { requestId, userId: data.userId, channel, error: outcome.error },
        { source: SOURCE, time },
      ),
    ]);
}
