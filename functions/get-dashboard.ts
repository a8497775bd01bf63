/**
 * getDashboard: `GET /api/dashboard` — the ops dashboard page (anonymous; the page reads the data with a
 * Reader token). The route itself is shared/http/routes/dashboard.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const getDashboardOptions = httpOptions("dashboard");

export const getDashboard = apiHandler;
