/**
 * `POST /api/admin/reprovision` (Admin): `{userPrincipalName, purpose, reason}` → 202 `{operationId}`. 202:
 * the work (device syncs, the user's notice, following Intune) happens on the reprovision queue; its progress
 * is at `GET admin/operations/{operationId}`, given in `Location` too. The caller is recorded as the token's
 * principal name; the token itself goes nowhere.
 */
import {
  ReprovisionBody,
  type RequestReprovisionInput,
  type RequestReprovisionResult,
} from "../../usecases/reprovision.ts";
import type { Handler } from "../api.ts";
import { readJson } from "../body.ts";
import { json } from "../responses.ts";
import { API_PREFIX, type Route } from "../router.ts";

/** Three short fields: 16 KiB is generous. */
export const ADMIN_REPROVISION_BODY_LIMIT = 16 * 1024;

/** Unknown fields are refused: a misspelt `purpose` silently dropped would re-provision the wrong thing. */
const Body = ReprovisionBody.strict();

export interface AdminReprovisionDeps {
  /** The use case `requestReprovision`, its own deps bound. */
  readonly requestReprovision: (input: RequestReprovisionInput) => Promise<RequestReprovisionResult>;
}

export function adminReprovision(deps: AdminReprovisionDeps): Handler {
  return async (request) => {
    const body = await readJson(request, Body, ADMIN_REPROVISION_BODY_LIMIT);
    const traceparent = request.header("traceparent");
    const { operationId } = await deps.requestReprovision({
      ...body,
      requestedBy: request.principal?.name ?? "unknown",
      ...(traceparent === undefined ? {} : { traceparent }),
    });
    return json(202, { operationId }, { location: `${API_PREFIX}/admin/operations/${operationId}` });
  };
}

export const adminReprovisionRoute = (deps: AdminReprovisionDeps): Route => ({
  name: "adminReprovision",
  method: "POST",
  path: "admin/reprovision",
  access: "admin",
  bodyLimit: ADMIN_REPROVISION_BODY_LIMIT,
  handle: adminReprovision(deps),
});
