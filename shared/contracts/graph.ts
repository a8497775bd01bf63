/**
 * Every Microsoft Graph payload the pipeline reads or sends: one zod schema each, types inferred. A Graph
 * response is `unknown` until it is parsed with one of these (the gateway does it, naming the resource and the
 * field that did not fit). Each readable resource has its `$select` list beside it: the gateway asks for those
 * fields and nothing more (less data on the wire, and the pipeline never sees what it does not use).
 *
 * Property names and enum members are Graph's own (Microsoft Graph documentation, v1.0 and beta). Two rules
 * make parsing robust against Graph's evolution without hiding real faults:
 * - Graph's enums are "evolvable": Microsoft adds members. An unknown member parses as `unknownFutureValue`
 *   (Graph's own sentinel) instead of failing the whole page; code that decides on an enum treats that
 *   member as "not known to be good".
 * - Graph sends `null` for unset properties; every optional property accepts null or absence and yields
 *   `undefined`. Dates arrive with offsets and 7-digit fractions; they come out as ISO-8601 UTC strings.
 *
 * One file per resource family in ./graph/; this module gathers them, so importers need one path.
 */

export * from "./graph/app-configurations.ts";
export * from "./graph/certificate-profiles.ts";
export { GraphCollectionPage, GraphDateTime, GraphErrorBody, GraphThumbprint } from "./graph/common.ts";
export * from "./graph/export-jobs.ts";
export * from "./graph/mail.ts";
export * from "./graph/managed-devices.ts";
export * from "./graph/notifications.ts";
export * from "./graph/pfx-certificates.ts";
export * from "./graph/users.ts";
