/** Graph-shaped payload builders for the gateway's tests, at fixed dates. */
import type { RecordedRequest, Reply } from "./graph-server.ts";
import { json } from "./graph-server.ts";

export const TOKEN = "test-token-must-never-appear-in-errors";

/** A userPFXCertificate as Graph sends it (beta), with the fields the pipeline does not ask for left out. */
export function pfx(i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    "@odata.type": "#microsoft.graph.userPFXCertificate",
    id: `pfx-${i}`,
    thumbprint: i.toString(16).padStart(40, "a"),
    intendedPurpose: i % 2 === 0 ? "smimeEncryption" : "smimeSigning",
    userPrincipalName: `user${i}@contoso.com`,
    startDateTime: "2026-01-01T00:00:00Z",
    expirationDateTime: "2027-01-01T00:00:00.1234567-08:00",
    providerName: null,
    ...overrides,
  };
}

/**
 * Answers a listing in pages of `pageSize`, the way Graph does: each nextLink is an absolute URL carrying the
 * original query ($select included) plus a $skiptoken.
 */
export function paged(base: string, items: readonly unknown[], pageSize: number) {
  return (request: RecordedRequest): Reply => {
    const index = Number(request.query.get("$skiptoken") ?? "0");
    const value = items.slice(index * pageSize, (index + 1) * pageSize);
    const more = (index + 1) * pageSize < items.length;
    const query = new URLSearchParams(request.query);
    query.set("$skiptoken", String(index + 1));
    return json({
      "@odata.context": `${base}/beta/$metadata#collection`,
      value,
      ...(more ? { "@odata.nextLink": `${base}${request.path}?${query.toString()}` } : {}),
    });
  };
}
