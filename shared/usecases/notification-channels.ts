/**
 * Which channels a notice takes (NOTIFY_CHANNEL), pure: Company Portal needs an enrolled iOS or Android
 * device (it is the Company Portal app on the phone that shows it), so a user without one gets e-mail instead,
 * whatever the setting. E-mail needs a sender mailbox (MAIL_SENDER) and the user's address.
 */

import type { NotifyChannelSetting } from "../config.ts";
import type { ManagedDevice } from "../contracts/graph.ts";

export type Channel = "companyPortal" | "email";

/** The devices Company Portal notices can reach: iOS/iPadOS and Android. */
export function mobileDevices(devices: readonly ManagedDevice[]): ManagedDevice[] {
  return devices.filter((d) => /^(ios|ipados|android)/i.test(d.operatingSystem?.trim() ?? ""));
}

export interface ChannelChoice {
  readonly channel: Channel;
  /** Why it cannot be used; absent when it can. */
  readonly unavailable?: string;
}

export function chooseChannels(input: {
  readonly setting: NotifyChannelSetting;
  readonly mobileDevices: number;
  readonly mailSender?: string;
  readonly recipient?: string;
}): ChannelChoice[] {
  const wantsPortal = input.setting !== "email";
  const portal = wantsPortal && input.mobileDevices > 0;
  const mail = input.setting !== "companyPortal" || (wantsPortal && !portal);
  const choices: ChannelChoice[] = portal ? [{ channel: "companyPortal" }] : [];
  if (!mail) return choices;
  const unavailable = !input.mailSender
    ? `no MAIL_SENDER configured${wantsPortal && !portal ? " and no enrolled iOS or Android device" : ""}`
    : !input.recipient
      ? "the user has no e-mail address"
      : undefined;
  return [...choices, { channel: "email", ...(unavailable ? { unavailable } : {}) }];
}
