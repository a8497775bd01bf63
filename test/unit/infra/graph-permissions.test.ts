/**
 * The Graph application permissions are written down in three places that must agree: the script that grants
 * them (bin/grant-graph-permissions.sh), the README's "Graph permissions" table and infra/README.md's step 5.
 * And every Graph resource the gateway calls (shared/adapters/graph) needs one of them: a new call whose
 * permission nobody grants would be a 403 in production, found here instead.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** The script's `PERMISSIONS` block: one `Permission|why` per line. */
function scriptPermissions(): string[] {
  const script = read("bin/grant-graph-permissions.sh");
  const block = /PERMISSIONS='\n([\s\S]*?)\n'/.exec(script)?.[1];
  if (!block) throw new Error("bin/grant-graph-permissions.sh: no PERMISSIONS='…' block");
  return block
    .split("\n")
    .filter((line) => line.includes("|"))
    .map((line) => line.split("|")[0]?.trim() ?? "");
}

/** The first column of the first table after `heading`, backticks removed. */
function tablePermissions(path: string, heading: string): string[] {
  const text = read(path);
  const start = text.indexOf(heading);
  if (start < 0) throw new Error(`${path}: no "${heading}"`);
  const lines = text.slice(start).split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  const rows = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(/^\|\s*`([^`]+)`/.exec(line)?.[1] ?? line);
  }
  return rows;
}

/** Which permission each Graph resource the gateway calls needs (Microsoft Graph's permission reference). */
const NEEDS: Readonly<Record<string, string>> = {
  users: "User.Read.All",
  "users/delta": "User.Read.All",
  "users/{}": "User.Read.All",
  // Change notifications on /users need the permission that reads users.
  subscriptions: "User.Read.All",
  "subscriptions/{}": "User.Read.All",
  "users/{}/sendMail": "Mail.Send",
  "users/{}/managedDevices": "DeviceManagementManagedDevices.Read.All",
  "deviceManagement/deviceConfigurations": "DeviceManagementConfiguration.Read.All",
  "deviceManagement/deviceConfigurations/{}/{}/managedDeviceCertificateStates":
    "DeviceManagementConfiguration.Read.All",
  "deviceManagement/deviceConfigurationsAllManagedDeviceCertificateStates":
    "DeviceManagementConfiguration.Read.All",
  "deviceManagement/userPfxCertificates": "DeviceManagementConfiguration.Read.All",
  "deviceManagement/reports/exportJobs": "DeviceManagementConfiguration.Read.All",
  "deviceManagement/reports/exportJobs/{}": "DeviceManagementConfiguration.Read.All",
  "deviceManagement/managedDevices/{}/syncDevice": "DeviceManagementManagedDevices.PrivilegedOperations.All",
  "deviceManagement/managedDevices/{}/sendCustomNotificationToCompanyPortal":
    "DeviceManagementServiceConfig.ReadWrite.All",
  "deviceAppManagement/mobileAppConfigurations": "DeviceManagementApps.Read.All",
};

/** Every Graph resource path written in the gateway's source, with ids as `{}` and queries dropped. */
function gatewayResources(): string[] {
  const dir = join(ROOT, "shared/adapters/graph");
  const found = new Set<string>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
    const source = readFileSync(join(dir, file), "utf8");
    for (const m of source.matchAll(
      /["`]((?:users|subscriptions|deviceManagement|deviceAppManagement)[^"`]*)["`]/g,
    ))
      found.add((m[1] ?? "").replace(/\$?\{[^}]*\}/g, "{}").replace(/\?.*$/, ""));
  }
  return [...found].sort();
}

describe("the Graph application permissions", () => {
  const granted = scriptPermissions();

  it("the script grants seven, each once", () => {
    expect(granted).toHaveLength(7);
    expect(new Set(granted).size).toBe(granted.length);
  });

  it.each([
    { name: "README.md", path: "README.md", heading: "### Graph permissions" },
    {
      name: "infra/README.md",
      path: "infra/README.md",
      heading: "## 5. Grant the Microsoft Graph permissions",
    },
  ])("$name lists exactly the script's, in its order", ({ path, heading }) => {
    expect(tablePermissions(path, heading)).toEqual(granted);
  });

  it("cover every Graph resource the gateway calls, and each is needed by one", () => {
    const resources = gatewayResources();
    expect(resources.length).toBeGreaterThanOrEqual(10);
    const unmapped = resources.filter((r) => NEEDS[r] === undefined);
    expect(unmapped, "a Graph call whose permission this test does not know").toEqual([]);
    const needed = new Set(resources.map((r) => NEEDS[r]));
    expect([...needed].sort()).toEqual([...granted].sort());
  });
});
