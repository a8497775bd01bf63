/**
 * getUserReadiness: `GET /api/users/{upn}/readiness` — a user's verdict per purpose and platform, with every
 * reason (Reader). The route itself is shared/http/routes/user-readiness.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const getUserReadinessOptions = httpOptions("users/{upn}/readiness");

export const getUserReadiness = apiHandler;
