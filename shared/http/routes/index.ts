/**
 * The API's route table (DESIGN.md "HTTP"): what the local host serves and what functions/ registers.
 */
import type { Route } from "../router.ts";
import { type AdminOperationsDeps, adminOperationsRoute } from "./admin-operations.ts";
import { type AdminReprovisionDeps, adminReprovisionRoute } from "./admin-reprovision.ts";
import { type CertificatesValidateDeps, certificatesValidateRoute } from "./certificates-validate.ts";
import { dashboardRoute } from "./dashboard.ts";
import { type GetEventsDeps, getEventsRoute } from "./get-events.ts";
import { type GetHealthDeps, getHealthRoute } from "./get-health.ts";
import { type GetStatusDeps, getStatusRoute } from "./get-status.ts";
import { type GetUsersDeps, getUsersRoute } from "./get-users.ts";
import { type GraphLifecycleDeps, graphLifecycleRoute } from "./graph-lifecycle.ts";
import { type GraphNotificationsDeps, graphNotificationsRoute } from "./graph-notifications.ts";
import { type PostCertificatesDeps, postCertificatesRoute } from "./post-certificates.ts";
import { type UserReadinessDeps, userReadinessRoute } from "./user-readiness.ts";

export type ApiDeps = PostCertificatesDeps &
  GetHealthDeps &
  GetStatusDeps &
  GetEventsDeps &
  GetUsersDeps &
  Partial<AdminApiDeps> &
  Partial<GraphNotificationsDeps & GraphLifecycleDeps>;

/** The admin API's use cases (readiness, validation, re-provisioning). */
export type AdminApiDeps = AdminReprovisionDeps &
  AdminOperationsDeps &
  UserReadinessDeps &
  CertificatesValidateDeps;

const adminRoutes = (deps: Partial<AdminApiDeps>): Route[] => {
  const { requestReprovision, operations, queryReadiness, validateUpload } = deps;
  return [
    ...(queryReadiness ? [userReadinessRoute({ queryReadiness })] : []),
    ...(validateUpload ? [certificatesValidateRoute({ validateUpload })] : []),
    ...(requestReprovision ? [adminReprovisionRoute({ requestReprovision })] : []),
    ...(operations ? [adminOperationsRoute({ operations })] : []),
  ];
};

/**
 * Every route, with the role each needs. The graph/* routes (anonymous at the bearer level: Graph sends a
 * clientState instead) and the admin routes are served when their use cases are given, as the hosts always
 * give them. The dashboard is a static page: its data comes from the reader routes, with a bearer token.
 */
export function apiRoutes(deps: ApiDeps): Route[] {
  const { handleGraphNotifications, handleGraphLifecycle } = deps;
  return [
    getHealthRoute(deps),
    getStatusRoute(deps),
    getEventsRoute(deps),
    getUsersRoute(deps),
    postCertificatesRoute(deps),
    ...adminRoutes(deps),
    dashboardRoute(),
    ...(handleGraphNotifications ? [graphNotificationsRoute({ handleGraphNotifications })] : []),
    ...(handleGraphLifecycle ? [graphLifecycleRoute({ handleGraphLifecycle })] : []),
  ];
}
