/**
 * Mail to users: v1.0 `POST /users/{sender}/sendMail` (202, no body). A MIME message goes as Graph takes it:
 * base64 in a text/plain body (learn.microsoft.com/graph/outlook-send-mime-message).
 */
import { SendMailBody } from "../../contracts/graph.ts";
import { parseBody } from "./parse.ts";
import type { GraphTransport } from "./transport.ts";

export async function sendMail(transport: GraphTransport, sender: string, body: SendMailBody): Promise<void> {
  // Parsed on the way out too: a malformed message is a bug here, not something to send Graph.
  const message = parseBody(SendMailBody, "sendMail body", body);
  const call = {
    method: "POST",
    version: "v1.0",
    path: `users/${encodeURIComponent(sender)}/sendMail`,
  } as const;
  await transport.send(
    "mime" in message
      ? {
          ...call,
          body: Buffer.from(message.mime, "utf8").toString("base64"),
          contentType: "text/plain",
          resource: "sendMail (MIME)",
        }
      : { ...call, body: message, resource: "sendMail" },
  );
}
