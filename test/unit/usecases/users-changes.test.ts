import { describe, expect, it } from "vitest";
import type { UserRecord } from "../../../shared/contracts/rows.ts";
import { type DirectoryUser, decideUserChange } from "../../../shared/usecases/graph-user-changes.ts";

const NOW = new Date("2026-11-28T12:00:00.000Z");
const EARLIER = "2026-11-01T00:00:00.000Z";

const stored = (over: Partial<UserRecord> = {}): UserRecord => ({
  userId: "u1",
  userPrincipalName: "alice@contoso.com",
  displayName: "Alice",
  primarySmtp: "alice@contoso.com",
  accountEnabled: true,
  deleted: false,
  reasons: [],
  signingReady: true,
  updatedAt: EARLIER,
  ...over,
});

const present = (over: Partial<Extract<DirectoryUser, { kind: "present" }>> = {}): DirectoryUser => ({
  kind: "present",
  id: "u1",
  userPrincipalName: "alice@contoso.com",
  displayName: "Alice",
  proxyAddresses: ["SMTP:alice@contoso.com", "smtp:a@contoso.com"],
  mail: "alice@contoso.com",
  accountEnabled: true,
  ...over,
});

describe("decideUserChange", () => {
  const cases: readonly {
    name: string;
    stored: UserRecord | undefined;
    observed: DirectoryUser;
    changes: readonly object[];
    writes: boolean;
    record?: Partial<UserRecord>;
  }[] = [
    {
      name: "unchanged: nothing written, nothing announced",
      stored: stored(),
      observed: present(),
      changes: [],
      writes: false,
    },
    {
      name: "a new user is stored without an event",
      stored: undefined,
      observed: present({ accountEnabled: false }),
      changes: [],
      writes: true,
      record: {
        userId: "u1",
        primarySmtp: "alice@contoso.com",
        accountEnabled: false,
        deleted: false,
        reasons: [],
      },
    },
    {
      name: "a new primary SMTP address (SMTP: entry) is announced with the old one",
      stored: stored(),
      observed: present({ proxyAddresses: ["SMTP:alice.smith@contoso.com", "smtp:alice@contoso.com"] }),
      changes: [
        {
          change: "primarySmtpChanged",
          primarySmtp: "alice.smith@contoso.com",
          previousPrimarySmtp: "alice@contoso.com",
        },
      ],
      writes: true,
      record: { primarySmtp: "alice.smith@contoso.com", signingReady: true },
    },
    {
      name: "only the case of the address changed: stored, not announced",
      stored: stored(),
      observed: present({ proxyAddresses: ["SMTP:Alice@Contoso.com"] }),
      changes: [],
      writes: true,
      record: { primarySmtp: "Alice@Contoso.com" },
    },
    {
      name: "a stub record (known from a certificate) learns its first address: announced",
      stored: stored({ primarySmtp: undefined, displayName: undefined }),
      observed: present(),
      changes: [{ change: "primarySmtpChanged", primarySmtp: "alice@contoso.com" }],
      writes: true,
    },
    {
      name: "the address is gone (no mailbox, no mail): announced without a new address",
      stored: stored(),
      observed: present({ proxyAddresses: [], mail: null }),
      changes: [{ change: "primarySmtpChanged", previousPrimarySmtp: "alice@contoso.com" }],
      writes: true,
    },
    {
      name: "disabled",
      stored: stored(),
      observed: present({ accountEnabled: false }),
      changes: [{ change: "disabled", primarySmtp: "alice@contoso.com" }],
      writes: true,
      record: { accountEnabled: false },
    },
    {
      name: "enabled again",
      stored: stored({ accountEnabled: false }),
      observed: present({ accountEnabled: true }),
      changes: [{ change: "enabled" }],
      writes: true,
      record: { accountEnabled: true },
    },
    {
      name: "accountEnabled not given: the stored state stands",
      stored: stored({ accountEnabled: false }),
      observed: present({ accountEnabled: undefined }),
      changes: [],
      writes: false,
    },
    {
      name: "disabled and a new address at once: both announced",
      stored: stored(),
      observed: present({ accountEnabled: false, proxyAddresses: ["SMTP:alice@fabrikam.com"] }),
      changes: [{ change: "primarySmtpChanged" }, { change: "disabled" }],
      writes: true,
    },
    {
      name: "removed",
      stored: stored(),
      observed: { kind: "removed", id: "u1" },
      changes: [
        { change: "deleted", userPrincipalName: "alice@contoso.com", primarySmtp: "alice@contoso.com" },
      ],
      writes: true,
      record: { deleted: true, accountEnabled: true },
    },
    {
      name: "removed again: nothing",
      stored: stored({ deleted: true }),
      observed: { kind: "removed", id: "u1" },
      changes: [],
      writes: false,
    },
    {
      name: "removed, never known: nothing",
      stored: undefined,
      observed: { kind: "removed", id: "u1" },
      changes: [],
      writes: false,
    },
    {
      name: "restored from the recycle bin: present again, announced as enabled",
      stored: stored({ deleted: true }),
      observed: present(),
      changes: [{ change: "enabled" }],
      writes: true,
      record: { deleted: false },
    },
    {
      name: "display name, UPN and language: stored without an event",
      stored: stored(),
      observed: present({
        displayName: "Alice S.",
        userPrincipalName: "asmith@contoso.com",
        preferredLanguage: "fr-FR",
      }),
      changes: [],
      writes: true,
      record: {
        displayName: "Alice S.",
        userPrincipalName: "asmith@contoso.com",
        preferredLanguage: "fr-FR",
      },
    },
    {
      name: "a cleared display name disappears from the record",
      stored: stored(),
      observed: present({ displayName: null }),
      changes: [],
      writes: true,
    },
  ];

  it.each(cases)("$name", ({ stored: before, observed, changes, writes, record }) => {
    const decision = decideUserChange(before, observed, NOW);
    expect(decision.changes).toHaveLength(changes.length);
    decision.changes.forEach((change, i) => {
      expect(change).toMatchObject({ userId: "u1", observedAt: NOW.toISOString(), ...changes[i] });
    });
    expect(decision.record !== undefined).toBe(writes);
    if (record) expect(decision.record).toMatchObject({ ...record, updatedAt: NOW.toISOString() });
  });

  it("a cleared property leaves no key behind", () => {
    const decision = decideUserChange(stored(), present({ displayName: null }), NOW);
    expect(decision.record).not.toHaveProperty("displayName");
  });

  it("an address change with no valid old address leaves previousPrimarySmtp out", () => {
    const decision = decideUserChange(stored({ primarySmtp: "not-an-address" }), present(), NOW);
    expect(decision.changes[0]).not.toHaveProperty("previousPrimarySmtp");
    expect(decision.changes[0]).toMatchObject({
      change: "primarySmtpChanged",
      primarySmtp: "alice@contoso.com",
    });
  });
});
