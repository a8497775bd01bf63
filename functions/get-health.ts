/**
 * getHealth: `GET /api/health` — liveness and dependency status (anonymous; reveals no data). The route itself is shared/http/routes/get-health.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const getHealthOptions = httpOptions("health");

export const getHealth = apiHandler;
