/**
 * The HTTP API's side of functions/: the routes of shared/http bound to the use cases, and the one router
 * every HTTP function answers through. Authentication is the router's (bearer tokens checked against
 * Entra ID, DESIGN.md "HTTP"), so every HTTP function is registered `authLevel: "anonymous"` — a function
 * key would be a second, weaker secret — and with every method, so a wrong method gets the router's 405.
 */
import type { HttpMethod, HttpTriggerOptions } from "@azure/functions";
import { ConfigError } from "../shared/config.ts";
import { createEntraTokenVerifier } from "../shared/http/auth.ts";
import { azureHttpHandler } from "../shared/http/azure-adapter.ts";
import { createRouter, type Router } from "../shared/http/router.ts";
import { type ApiDeps, apiRoutes } from "../shared/http/routes/index.ts";
import type { OperationStore } from "../shared/ports.ts";
import { runtime } from "../shared/runtime.ts";
import { CursorNames, type Deps, type GraphDeps } from "../shared/usecases/deps.ts";
import { handleGraphLifecycle } from "../shared/usecases/handle-graph-lifecycle.ts";
import { handleGraphNotifications } from "../shared/usecases/handle-graph-notifications.ts";
import { queryStatus } from "../shared/usecases/query-status.ts";
import { registerCertificate } from "../shared/usecases/register-certificate.ts";
import { adminApiDeps } from "./admin-api-deps.ts";

/**
 * The routes' deps: each use case with its own deps bound, and the health checks. The Graph routes check
 * each notification's clientState against the runtime's webhook secret; a runtime without one (a test's)
 * trusts no notification.
 */
export function apiDeps(deps: Deps & Partial<GraphDeps> & { readonly operations?: OperationStore }): ApiDeps {
  const clientState = deps.webhook?.clientState;
  return {
    handleGraphNotifications: (input) => handleGraphNotifications({ ...deps, clientState }, input),
    handleGraphLifecycle: (input) => handleGraphLifecycle({ ...deps, clientState }, input),
    registerCertificate: (input) => registerCertificate(deps, input),
    readStatus: () => queryStatus(deps),
    audit: deps.audit,
    users: deps.users,
    checks: {
      tables: async () => void (await deps.cursors.get(CursorNames.scanExpiryLastRun)),
      bus: async () => void (await deps.queueStats.depth("certificateEvents")),
    },
    logger: deps.logger,
    ...(deps.operations && adminApiDeps({ ...deps, operations: deps.operations })),
  };
}

let router: Router | undefined;

/** The Azure router, built on the first request from the runtime's deps and the Entra settings. */
export function apiRouter(): Router {
  if (router) return router;
  const { deps, settings } = runtime();
  const { tenantId, audience } = settings.auth;
  if (!tenantId || !audience)
    throw new ConfigError([
      ...(tenantId ? [] : [{ setting: "AUTH_TENANT_ID", message: "required for the HTTP API in Azure" }]),
      ...(audience ? [] : [{ setting: "AUTH_AUDIENCE", message: "required for the HTTP API in Azure" }]),
    ]);
  const verifier = createEntraTokenVerifier({ tenantId, audience, clock: deps.clock });
  router = createRouter(apiRoutes(apiDeps(deps)), { verifier, logger: deps.logger.child({ part: "http" }) });
  return router;
}

/** Every HTTP function's handler: the router answers (and says 404/405 for what it does not serve). */
export const apiHandler = azureHttpHandler(apiRouter);

const ALL_METHODS: HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/** Trigger options for one route path under /api. */
export const httpOptions = (route: string) =>
  ({ route, methods: ALL_METHODS, authLevel: "anonymous" }) satisfies HttpTriggerOptions;
