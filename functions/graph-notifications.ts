/**
 * graphNotifications: `POST /api/graph/notifications` — Microsoft Graph's change notifications on users
 * (the validation handshake, then batches checked by clientState and enqueued). Anonymous at the host:
 * Graph sends no token. The route itself is shared/http/routes/graph-notifications.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const graphNotificationsOptions = httpOptions("graph/notifications");

export const graphNotifications = apiHandler;
