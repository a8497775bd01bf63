/** Mail to users: v1.0 `POST /users/{sender}/sendMail` (202, no body). */
import { SendMailBody } from "../../contracts/graph.ts";
import { parseBody } from "./parse.ts";
import type { GraphTransport } from "./transport.ts";

export async function sendMail(transport: GraphTransport, sender: string, body: SendMailBody): Promise<void> {
  // Parsed on the way out too: a malformed message is a bug here, not something to send Graph.
  const message = parseBody(SendMailBody, "sendMail body", body);
  await transport.send({
    method: "POST",
    version: "v1.0",
    path: `users/${encodeURIComponent(sender)}/sendMail`,
    body: message,
    resource: "sendMail",
  });
}
