/**
 * The API's route table (DESIGN.md "HTTP"): what the local host serves and what functions/ registers.
 */
import type { Route } from "../router.ts";
import { type GetEventsDeps, getEventsRoute } from "./get-events.ts";
import { type GetHealthDeps, getHealthRoute } from "./get-health.ts";
import { type GetStatusDeps, getStatusRoute } from "./get-status.ts";
import { type GetUsersDeps, getUsersRoute } from "./get-users.ts";
import { type PostCertificatesDeps, postCertificatesRoute } from "./post-certificates.ts";

export type ApiDeps = PostCertificatesDeps & GetHealthDeps & GetStatusDeps & GetEventsDeps & GetUsersDeps;

/** Every route, with the role each needs. */
export function apiRoutes(deps: ApiDeps): Route[] {
  return [
    getHealthRoute(deps),
    getStatusRoute(deps),
    getEventsRoute(deps),
    getUsersRoute(deps),
    postCertificatesRoute(deps),
  ];
}
