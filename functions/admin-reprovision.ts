/**
 * adminReprovision: `POST /api/admin/reprovision` — start re-provisioning a user (Admin). The route itself is
 * shared/http/routes/admin-reprovision.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const adminReprovisionOptions = httpOptions("admin/reprovision");

export const adminReprovision = apiHandler;
