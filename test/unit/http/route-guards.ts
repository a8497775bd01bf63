/**
 * The guards every bearer-protected route must keep, as one suite: no token → 401, a token without the role
 * → 403, the right role → 2xx, a body over the route's limit → 413 — and in every refusal, the use case never
 * ran. Route test files give their routes and their own `call`.
 */
import { describe, expect, it } from "vitest";
import type { RequestOptions } from "./fixtures.ts";

export type Caller = "anonymous" | "reader" | "admin" | "none";

export interface GuardedRoute {
  readonly route: string;
  /** A request the route accepts. */
  readonly ok: RequestOptions;
  readonly role: "reader" | "admin";
  /** A token that is valid but lacks the role. */
  readonly lacking: "reader" | "none";
  /** The route's body limit in bytes (0: it takes no body). */
  readonly limit: number;
}

type Call = (
  as: Caller,
  options: RequestOptions,
) => Promise<{
  response: { status: number };
  body: { error?: { code: string } };
  touched: () => number;
}>;

export function describeRouteGuards(routes: readonly GuardedRoute[], call: Call): void {
  describe.each(routes)("$route", ({ ok, role, lacking, limit }) => {
    it("no token → 401, nothing runs", async () => {
      const { response, body, touched } = await call("anonymous", ok);
      expect(response.status).toBe(401);
      expect(body.error?.code).toBe("invalid_token");
      expect(touched()).toBe(0);
    });

    it(`a token without the ${role} role → 403, nothing runs`, async () => {
      const { response, body, touched } = await call(lacking, ok);
      expect(response.status).toBe(403);
      expect(body.error?.code).toBe("forbidden");
      expect(touched()).toBe(0);
    });

    it(`${role} → 2xx`, async () => {
      const { response, touched } = await call(role, ok);
      expect([200, 202]).toContain(response.status);
      expect(touched()).toBe(1);
    });

    it.each([
      { how: "declared", declaredLength: undefined },
      { how: "streamed without a length", declaredLength: null },
    ])("a body over the route's limit, $how → 413, nothing runs", async ({ declaredLength }) => {
      const big = new Uint8Array(limit + 1).fill(0x20);
      const { response, body, touched } = await call(role, { ...ok, body: big, declaredLength });
      expect(response.status).toBe(413);
      expect(body.error?.code).toBe("payload_too_large");
      expect(touched()).toBe(0);
    });
  });
}
