/**
 * Events for bus tests, built through the real publisher (createEvent) at fixed dates. `run` keeps ids
 * unique across runs, which matters on a real namespace whose duplicate detection remembers past runs.
 */
import { createHash } from "node:crypto";
import type { CloudEventEnvelope } from "../../shared/contracts/cloud-event.ts";
import { createEvent } from "../../shared/contracts/events.ts";

export const BUS_TEST_TIME = new Date("2026-03-02T09:00:00.000Z");

/** A deterministic SHA-1-shaped thumbprint for a label. */
export function thumbprintOf(label: string): string {
  return createHash("sha1").update(label).digest("hex").toUpperCase();
}

/** A `certificate.removed` event (certificate-events queue, session = user). */
export function certificateEvent(
  run: string,
  user: string,
  n: number,
  traceparent?: string,
): CloudEventEnvelope {
  return createEvent(
    "certificate.removed",
    { userId: `${run}-${user}`, thumbprint: thumbprintOf(`${run}/${user}/${n}`), reason: `test ${n}` },
    {
      source: "/smime-lifecycle/test",
      time: BUS_TEST_TIME,
      ...(traceparent === undefined ? {} : { traceparent }),
    },
  );
}

/** A `crl.unreachable` event: about no user, so it travels in the system session. */
export function systemEvent(run: string, n: number): CloudEventEnvelope {
  return createEvent(
    "crl.unreachable",
    {
      url: `http://crl.example.test/${run}/${n}.crl`,
      reason: "timed out",
      since: BUS_TEST_TIME.toISOString(),
    },
    { source: "/smime-lifecycle/test", time: BUS_TEST_TIME },
  );
}

/** A `reprovision.requested` event (reprovision queue: no sessions, no duplicate detection). */
export function reprovisionEvent(run: string, n: number): CloudEventEnvelope {
  return createEvent(
    "reprovision.requested",
    {
      operationId: `${run}-op-${n}`,
      userPrincipalName: `user${n}@contoso.test`,
      purpose: "both",
      reason: "test",
      requestedBy: "admin@contoso.test",
      requestedAt: BUS_TEST_TIME.toISOString(),
    },
    { source: "/smime-lifecycle/test", time: BUS_TEST_TIME },
  );
}

/** A `notification.requested` event (notifications queue: duplicate detection, no sessions). */
export function notificationEvent(run: string, n: number): CloudEventEnvelope {
  return createEvent(
    "notification.requested",
    {
      userId: `${run}-user-${n}`,
      reason: "expiring",
      thresholdDays: 30,
      thumbprint: thumbprintOf(`${run}/${n}`),
    },
    { source: "/smime-lifecycle/test", time: BUS_TEST_TIME },
  );
}
