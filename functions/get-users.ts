/**
 * getUsers: `GET /api/users` — users with their readiness summary (Reader). The route itself is shared/http/routes/get-users.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const getUsersOptions = httpOptions("users");

export const getUsers = apiHandler;
