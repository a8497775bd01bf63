/** Graph contracts: Change notifications (v1.0). */
import { z } from "zod";
import { GraphDateTime, opt } from "./common.ts";

export const ChangeType = z.enum(["created", "updated", "deleted"]);

/** `POST /subscriptions`. For users the longest expiry is 41,760 minutes (29 days). */
export const SubscriptionCreate = z.object({
  changeType: z.string().min(1),
  notificationUrl: z.url(),
  lifecycleNotificationUrl: z.url().optional(),
  resource: z.string().min(1),
  expirationDateTime: z.iso.datetime({ offset: true }),
  clientState: z.string().max(128).optional(),
  latestSupportedTlsVersion: z.enum(["v1_0", "v1_1", "v1_2", "v1_3"]).optional(),
});
export type SubscriptionCreate = z.infer<typeof SubscriptionCreate>;

/** `PATCH /subscriptions/{id}`: only the expiry moves. */
export const SubscriptionRenew = z.object({ expirationDateTime: z.iso.datetime({ offset: true }) });
export type SubscriptionRenew = z.infer<typeof SubscriptionRenew>;

/** Reading one subscription; listing them takes no OData query parameters at all, so no $select there. */
export const SUBSCRIPTION_SELECT = [
  "id",
  "resource",
  "changeType",
  "notificationUrl",
  "lifecycleNotificationUrl",
  "expirationDateTime",
  "applicationId",
] as const;

/** A subscription as Graph answers a create, renew or read (clientState is never echoed on reads). */
export const GraphSubscription = z.object({
  id: z.string().min(1),
  resource: z.string().min(1),
  changeType: z.string().min(1),
  notificationUrl: z.string().min(1),
  lifecycleNotificationUrl: opt(z.string()),
  expirationDateTime: GraphDateTime,
  clientState: opt(z.string()),
  applicationId: opt(z.string()),
});
export type GraphSubscription = z.infer<typeof GraphSubscription>;

/** resourceData of a basic (not rich) notification: which entity changed. */
export const ResourceData = z.looseObject({
  "@odata.type": opt(z.string()),
  "@odata.id": opt(z.string()),
  id: z.string().min(1),
});

/** One change notification (POSTed to notificationUrl). */
export const ChangeNotification = z.object({
  id: opt(z.string()),
  subscriptionId: z.string().min(1),
  subscriptionExpirationDateTime: opt(GraphDateTime),
  clientState: opt(z.string()),
  changeType: ChangeType,
  resource: z.string().min(1),
  resourceData: opt(ResourceData),
  tenantId: opt(z.string()),
});
export type ChangeNotification = z.infer<typeof ChangeNotification>;

/** The body Graph POSTs to notificationUrl: a batch. */
export const ChangeNotificationCollection = z.object({ value: z.array(ChangeNotification) });
export type ChangeNotificationCollection = z.infer<typeof ChangeNotificationCollection>;

export const LifecycleEvent = z.enum(["reauthorizationRequired", "subscriptionRemoved", "missed"]);
export type LifecycleEvent = z.infer<typeof LifecycleEvent>;

/** One lifecycle notification (POSTed to lifecycleNotificationUrl). */
export const LifecycleNotification = z.object({
  subscriptionId: z.string().min(1),
  subscriptionExpirationDateTime: opt(GraphDateTime),
  clientState: opt(z.string()),
  lifecycleEvent: LifecycleEvent,
  resource: opt(z.string()),
  tenantId: opt(z.string()),
});
export type LifecycleNotification = z.infer<typeof LifecycleNotification>;

export const LifecycleNotificationCollection = z.object({ value: z.array(LifecycleNotification) });
export type LifecycleNotificationCollection = z.infer<typeof LifecycleNotificationCollection>;
