/**
 * The tenant's data with the certificates installed since it started (device-installs.ts) laid over the
 * dataset's: appended to the PFX list, to their profiles' device states, to the all-profiles listing and to
 * the export report, after the dataset's items so that paging through an unchanged part stays stable.
 */
import type { DeviceInstalls, InstalledCertificate } from "./device-installs.ts";
import type { Collection, ExportRow, GraphItem, TenantData } from "./model.ts";

/** Two collections one after the other. */
function concat(first: Collection, second: Collection): Collection {
  return {
    get count() {
      return first.count + second.count;
    },
    slice(offset, limit) {
      const head = first.slice(offset, limit);
      const rest = limit - head.length;
      if (rest <= 0) return head;
      return [...head, ...second.slice(Math.max(0, offset - first.count), rest)];
    },
  };
}

function itemsOf(
  installs: DeviceInstalls,
  pick: (c: InstalledCertificate) => readonly GraphItem[],
): Collection {
  return {
    get count() {
      return installs.list().flatMap(pick).length;
    },
    slice: (offset, limit) =>
      installs
        .list()
        .flatMap(pick)
        .slice(offset, offset + limit),
  };
}

/** `data` as Intune shows it with the installs in it. */
export function withInstalls(data: TenantData, installs: DeviceInstalls): TenantData {
  return {
    ...data,
    pfxCertificates: concat(
      data.pfxCertificates,
      itemsOf(installs, (c) => (c.items.pfx ? [c.items.pfx] : [])),
    ),
    certificateStates(profileId) {
      const own = data.certificateStates(profileId);
      if (!own) return undefined;
      return concat(
        own,
        itemsOf(installs, (c) => c.items.states.filter((s) => s.profileId === profileId).map((s) => s.item)),
      );
    },
    allCertificateStates: concat(
      data.allCertificateStates,
      itemsOf(installs, (c) => c.items.allStates),
    ),
    *exportRows(): Iterable<ExportRow> {
      yield* data.exportRows();
      for (const c of installs.list()) yield* c.items.rows;
    },
    removeCertificatesOf(userPrincipalName) {
      const done = data.removeCertificatesOf(userPrincipalName);
      if (done) installs.removed(userPrincipalName);
      return done;
    },
  };
}
