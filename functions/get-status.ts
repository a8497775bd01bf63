/**
 * getStatus: `GET /api/status` — the ops summary (Reader). The route itself is shared/http/routes/get-status.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const getStatusOptions = httpOptions("status");

export const getStatus = apiHandler;
