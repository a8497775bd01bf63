/**
 * The demo tenant's routes outside Graph, under `/_demo/` and without a token: what a SAS URL, a test or the
 * local host needs beside the Graph surface.
 */
import { z } from "zod";
import { expectedProblems, type UserChange } from "./dataset.ts";
import type { DemoDataset } from "./demo-data.ts";
import type { InstalledCertificate } from "./device-installs.ts";
import { graphError, type Reply } from "./odata.ts";
import type { AdminHandler } from "./server.ts";
import type { Delivery, LifecycleEvent } from "./subscriptions.ts";
import type { World } from "./world.ts";

/** The test hooks, as the tenant exposes them. */
export interface AdminHooks {
  changeUser(idOrUpn: string, change: UserChange): Promise<readonly Delivery[]>;
  sendLifecycle(subscriptionId: string, event: LifecycleEvent): Promise<Delivery>;
}

/**
 * The `/_demo/` routes: export downloads, the outbox, the certificates device syncs installed, the dataset,
 * the directory's certificates, and the hooks as HTTP for a test driving a separate host process
 * (`POST /_demo/users/{id|upn}` with a UserChange, `POST /_demo/subscriptions/{id}/lifecycle` with
 * `{ lifecycleEvent }`).
 */
export function adminRoutes(
  world: () => World,
  dataset: DemoDataset | undefined,
  hooks: AdminHooks,
): AdminHandler {
  return async ({ method, path, query, body }) => {
    if (method === "POST") return adminHook(path, body, hooks, world().clock.now());
    if (method !== "GET") return undefined;
    const zip = /^\/_demo\/exports\/([^/]+)\.zip$/.exec(path);
    if (zip?.[1]) {
      const bytes = world().exports.download(decodeURIComponent(zip[1]));
      return bytes ? { status: 200, headers: { "content-type": "application/zip" }, body: bytes } : undefined;
    }
    if (path === "/_demo/outbox") return { status: 200, body: { value: world().outbox.list() } };
    if (path === "/_demo/installed")
      return { status: 200, body: { value: (world().installs?.list() ?? []).map(describeInstall) } };
    if (path === "/_demo/dataset" && dataset) return { status: 200, body: describeDataset(dataset) };
    if (path === "/_demo/directory" && dataset) {
      const upn = (query.get("upn") ?? "").toLowerCase();
      const own = dataset.directory.get(upn);
      const certificates = own && [...own, ...(world().installs?.publishedFor(upn) ?? [])];
      if (!certificates) return undefined;
      return {
        status: 200,
        body: {
          userPrincipalName: upn,
          certificates: certificates.map((c) => Buffer.from(c).toString("base64")),
        },
      };
    }
    return undefined;
  };
}

const UserChangeBody = z.strictObject({
  primarySmtp: z.string().min(3).optional(),
  accountEnabled: z.boolean().optional(),
  deleted: z.literal(true).optional(),
  removeCertificates: z.literal(true).optional(),
});
const LifecycleBody = z.object({
  lifecycleEvent: z.enum(["reauthorizationRequired", "subscriptionRemoved", "missed"]),
});

async function adminHook(
  path: string,
  body: unknown,
  hooks: AdminHooks,
  now: Date,
): Promise<Reply | undefined> {
  const user = /^\/_demo\/users\/([^/]+)$/.exec(path);
  if (user?.[1]) {
    const change = UserChangeBody.safeParse(body);
    if (!change.success)
      return graphError(400, "BadRequest", `Not a user change: ${change.error.issues[0]?.message}`, now);
    try {
      return {
        status: 200,
        body: { deliveries: await hooks.changeUser(decodeURIComponent(user[1]), change.data) },
      };
    } catch (e) {
      return graphError(404, "ResourceNotFound", (e as Error).message, now);
    }
  }
  const lifecycle = /^\/_demo\/subscriptions\/([^/]+)\/lifecycle$/.exec(path);
  if (lifecycle?.[1]) {
    const event = LifecycleBody.safeParse(body);
    if (!event.success) return graphError(400, "BadRequest", "lifecycleEvent is required.", now);
    try {
      return { status: 200, body: await hooks.sendLifecycle(lifecycle[1], event.data.lifecycleEvent) };
    } catch (e) {
      return graphError(404, "ResourceNotFound", (e as Error).message, now);
    }
  }
  return undefined;
}

/** An installed certificate without its bytes and Graph items (those are in the Graph listings). */
function describeInstall(c: InstalledCertificate) {
  return {
    userPrincipalName: c.userPrincipalName,
    purpose: c.purpose,
    delivery: c.delivery,
    platforms: c.platforms,
    thumbprint: c.thumbprint,
    notAfter: c.notAfter.toISOString(),
    installedAt: c.installedAt,
    deviceId: c.deviceId,
  };
}

/** The demo users with their stories and what each certificate is meant to show (for people and the e2e check). */
function describeDataset(dataset: DemoDataset) {
  return {
    users: dataset.users.map((u) => ({
      userPrincipalName: u.userPrincipalName,
      primarySmtp: u.primarySmtp,
      story: u.spec.story,
      expectedProblems: expectedProblems(u.spec),
      afterFirstDelta: u.spec.afterFirstDelta ?? null,
      certificates: dataset.certificates
        .filter((c) => c.userId === u.id)
        .map((c) => ({
          thumbprint: c.thumbprint,
          purpose: c.purpose,
          delivery: c.delivery,
          platforms: c.platforms,
          notAfter: c.notAfter.toISOString(),
          published: c.published,
          expect: c.expect,
          expectAfterChange: c.expectAfterChange ?? null,
        })),
    })),
  };
}
