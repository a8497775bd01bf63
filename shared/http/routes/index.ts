/**
 * The API's route table (DESIGN.md "HTTP"): what the local host serves and what functions/ registers.
 */
import type { Route } from "../router.ts";
import { type GetEventsDeps, getEventsRoute } from "./get-events.ts";
import { type GetHealthDeps, getHealthRoute } from "./get-health.ts";
import { type GetStatusDeps, getStatusRoute } from "./get-status.ts";
import { type GetUsersDeps, getUsersRoute } from "./get-users.ts";
import { type GraphLifecycleDeps, graphLifecycleRoute } from "./graph-lifecycle.ts";
import { type GraphNotificationsDeps, graphNotificationsRoute } from "./graph-notifications.ts";
import { type PostCertificatesDeps, postCertificatesRoute } from "./post-certificates.ts";

export type ApiDeps = PostCertificatesDeps &
  GetHealthDeps &
  GetStatusDeps &
  GetEventsDeps &
  GetUsersDeps &
  Partial<GraphNotificationsDeps & GraphLifecycleDeps>;

/**
 * Every route, with the role each needs. The graph/* routes (anonymous at the bearer level: Graph sends a
 * clientState instead) are served when their use cases are given, as the hosts always give them.
 */
export function apiRoutes(deps: ApiDeps): Route[] {
  const { handleGraphNotifications, handleGraphLifecycle } = deps;
  return [
    getHealthRoute(deps),
    getStatusRoute(deps),
    getEventsRoute(deps),
    getUsersRoute(deps),
    postCertificatesRoute(deps),
    ...(handleGraphNotifications ? [graphNotificationsRoute({ handleGraphNotifications })] : []),
    ...(handleGraphLifecycle ? [graphLifecycleRoute({ handleGraphLifecycle })] : []),
  ];
}
