/**
 * adminOperations: `GET /api/admin/operations/{id}` — a re-provisioning's progress (Admin). The route itself
 * is shared/http/routes/admin-operations.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const adminOperationsOptions = httpOptions("admin/operations/{id}");

export const adminOperations = apiHandler;
