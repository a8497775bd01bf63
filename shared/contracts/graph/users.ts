/** Graph contracts: Entra ID users (v1.0). */
import { z } from "zod";
import { evolvable, opt } from "./common.ts";

export const USER_SELECT = [
  "id",
  "userPrincipalName",
  "mail",
  "proxyAddresses",
  "accountEnabled",
  "preferredLanguage",
  "displayName",
] as const;

/** A user, as `GET /users/{id}` answers it. */
export const GraphUser = z.object({
  id: z.string().min(1),
  userPrincipalName: z.string().min(1),
  mail: opt(z.string()),
  /** "SMTP:" (upper case) marks the primary address, "smtp:" the others. */
  proxyAddresses: opt(z.array(z.string())).transform((v) => v ?? []),
  accountEnabled: opt(z.boolean()),
  preferredLanguage: opt(z.string()),
  displayName: opt(z.string()),
});
export type GraphUser = z.infer<typeof GraphUser>;

/**
 * One entry of a `/users/delta` page. A new user comes whole; an updated one with its id and at least the
 * changed properties (so every property but `id` is optional); a removed one with `@removed`: reason
 * `changed` (soft-deleted, restorable for 30 days) or `deleted` (gone for good).
 */
export const GraphUserDelta = z
  .object({
    id: z.string().min(1),
    userPrincipalName: opt(z.string()),
    mail: opt(z.string()),
    proxyAddresses: opt(z.array(z.string())),
    accountEnabled: opt(z.boolean()),
    preferredLanguage: opt(z.string()),
    displayName: opt(z.string()),
    "@removed": opt(z.object({ reason: evolvable(["changed", "deleted"]) })),
  })
  .transform(({ "@removed": removed, ...user }) => ({ ...user, removed }));
export type GraphUserDelta = z.infer<typeof GraphUserDelta>;
