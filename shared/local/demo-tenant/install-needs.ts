/**
 * What the next Intune check-in of a demo device brings: a new certificate for each purpose the device has
 * nothing usable for. Pure; the time is passed in.
 *
 * - Signing is per device: a device with no signing certificate in force (missing, expired or revoked) gets a
 *   new one from the profile that delivered the old one (SCEP by default, as most tenants sign).
 * - Encryption is per user: one imported PFX on every device (DESIGN.md rule 5), so a user with no imported
 *   encryption certificate in force gets one PFX — what an admin who re-imported the user's key would cause.
 * Certificates that are in force but wrong in another way (a mismatched address, a foreign CA) are left alone:
 * Intune re-delivers what it has, it does not repair it.
 */
import type { Delivery, DemoPlatform } from "./dataset.ts";

/** One certificate of a user as Intune holds it now (the dataset's and those installed since). */
export interface HeldCertificate {
  readonly purpose: "signing" | "encryption";
  readonly delivery: Delivery;
  readonly platforms: readonly DemoPlatform[];
  readonly notAfter: Date;
  /** Revoked, or taken off the devices by Intune: no longer in force, but its profile still applies. */
  readonly withdrawn: boolean;
}

/** A certificate to install: signing on one platform's device, or an encryption PFX for all of them. */
export interface InstallNeed {
  readonly purpose: "signing" | "encryption";
  readonly delivery: Delivery;
  readonly platforms: readonly DemoPlatform[];
}

const inForce = (c: HeldCertificate, now: Date) => !c.withdrawn && c.notAfter.getTime() > now.getTime();

/**
 * What a sync of the user's device on `platform` installs, given what the user holds at `now`.
 * @param devices every platform the user has a device on (a PFX goes to all of them)
 */
export function installNeeds(
  held: readonly HeldCertificate[],
  platform: DemoPlatform,
  devices: readonly DemoPlatform[],
  now: Date,
): InstallNeed[] {
  const needs: InstallNeed[] = [];
  const signing = held.filter((c) => c.purpose === "signing" && c.platforms.includes(platform));
  if (!signing.some((c) => inForce(c, now))) {
    // The profile that delivered the last one keeps delivering (an imported signing PFX stays imported).
    const last = [...signing].sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime()).at(-1);
    const delivery = last?.delivery ?? "scep";
    needs.push({
      purpose: "signing",
      delivery,
      platforms: delivery === "pfx" ? devices : [platform],
    });
  }
  const imported = held.filter((c) => c.purpose === "encryption" && c.delivery === "pfx");
  if (!imported.some((c) => inForce(c, now)))
    needs.push({ purpose: "encryption", delivery: "pfx", platforms: devices });
  return needs;
}
