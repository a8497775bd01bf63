/**
 * What the pipeline asked the demo tenant to send or do: mail (`users/{id}/sendMail`), Company Portal
 * notices (`managedDevices/{id}/sendCustomNotificationToCompanyPortal`) and device syncs (`syncDevice`).
 * Nothing leaves the machine; tests and the local host read the outbox instead of an inbox.
 */
export type OutboxEntry =
  | {
      readonly kind: "mail";
      readonly at: string;
      /** The sender as addressed in the URL (`users/{id | userPrincipalName}`). */
      readonly from: string;
      /** The recipients' addresses, for quick assertions. */
      readonly to: readonly string[];
      readonly subject: string;
      /** How it came: Graph's JSON message, or a MIME message (base64 in a text/plain body). */
      readonly format: "json" | "mime";
      /** The bodies, decoded: a MIME message has both; a JSON one the one its contentType names. */
      readonly text?: string;
      readonly html?: string;
      /** A MIME message's Message-ID (without angle brackets). */
      readonly messageId?: string;
      /** The JSON form's Graph message; for MIME, the message's headers as read. */
      readonly message: unknown;
      readonly saveToSentItems: boolean;
    }
  | {
      readonly kind: "companyPortal";
      readonly at: string;
      readonly deviceId: string;
      readonly userPrincipalName: string;
      readonly notificationTitle: string;
      readonly notificationBody: string;
    }
  | { readonly kind: "syncDevice"; readonly at: string; readonly deviceId: string };

export class Outbox {
  private readonly entries: OutboxEntry[] = [];

  add(entry: OutboxEntry): void {
    this.entries.push(entry);
  }

  list(): readonly OutboxEntry[] {
    return [...this.entries];
  }
}
