/**
 * graphLifecycle: `POST /api/graph/lifecycle` — Microsoft Graph's lifecycle notifications for the users
 * subscription (reauthorizationRequired, subscriptionRemoved, missed), recorded for renewSubscription. The
 * route itself is shared/http/routes/graph-lifecycle.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const graphLifecycleOptions = httpOptions("graph/lifecycle");

export const graphLifecycle = apiHandler;
