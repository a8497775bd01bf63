import { describe, expect, it } from "vitest";
import type { NotifyChannelSetting } from "../../../shared/config.ts";
import { chooseChannels, mobileDevices } from "../../../shared/usecases/notification-channels.ts";

const SENDER = "it@contoso.com";
const TO = "alice@contoso.com";

describe("chooseChannels", () => {
  it.each([
    {
      name: "companyPortal with a phone",
      setting: "companyPortal",
      phones: 1,
      sender: SENDER,
      to: TO,
      expected: ["companyPortal"],
    },
    {
      name: "companyPortal without a phone: e-mail instead",
      setting: "companyPortal",
      phones: 0,
      sender: SENDER,
      to: TO,
      expected: ["email"],
    },
    {
      name: "email with a phone: e-mail only",
      setting: "email",
      phones: 2,
      sender: SENDER,
      to: TO,
      expected: ["email"],
    },
    {
      name: "both with a phone",
      setting: "both",
      phones: 1,
      sender: SENDER,
      to: TO,
      expected: ["companyPortal", "email"],
    },
    {
      name: "both without a phone: e-mail",
      setting: "both",
      phones: 0,
      sender: SENDER,
      to: TO,
      expected: ["email"],
    },
    {
      name: "no phone and no sender: e-mail unavailable, saying why",
      setting: "companyPortal",
      phones: 0,
      sender: undefined,
      to: TO,
      expected: ["email: no MAIL_SENDER configured and no enrolled iOS or Android device"],
    },
    {
      name: "no address: e-mail unavailable",
      setting: "email",
      phones: 0,
      sender: SENDER,
      to: undefined,
      expected: ["email: the user has no e-mail address"],
    },
    {
      name: "both, phone, no address: Company Portal still goes",
      setting: "both",
      phones: 1,
      sender: SENDER,
      to: undefined,
      expected: ["companyPortal", "email: the user has no e-mail address"],
    },
  ] as const)("$name", ({ setting, phones, sender, to, expected }) => {
    const choices = chooseChannels({
      setting: setting as NotifyChannelSetting,
      mobileDevices: phones,
      ...(sender ? { mailSender: sender } : {}),
      ...(to ? { recipient: to } : {}),
    });
    expect(choices.map((c) => (c.unavailable ? `${c.channel}: ${c.unavailable}` : c.channel))).toEqual(
      expected,
    );
  });
});

describe("mobileDevices: only what Company Portal notices reach", () => {
  it.each([
    { os: "iOS", mobile: true },
    { os: "iPadOS", mobile: true },
    { os: "Android", mobile: true },
    { os: "AndroidEnterprise", mobile: true },
    { os: "Windows", mobile: false },
    { os: "macOS", mobile: false },
    { os: undefined, mobile: false },
  ])("$os → $mobile", ({ os, mobile }) => {
    const devices = mobileDevices([{ id: "d1", ...(os ? { operatingSystem: os } : {}) }]);
    expect(devices.length === 1).toBe(mobile);
  });
});
