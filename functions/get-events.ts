/**
 * getEvents: `GET /api/events` — the audit ledger, newest first (Reader). The route itself is shared/http/routes/get-events.ts.
 */
import { apiHandler, httpOptions } from "./api.ts";

export const getEventsOptions = httpOptions("events");

export const getEvents = apiHandler;
