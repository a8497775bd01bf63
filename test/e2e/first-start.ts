/**
 * A local host's data directory as its first start would leave it, with a workload planted in it: the demo CA
 * (made here, as `smimectl serve` makes it on first start, for the port the host will listen on), the
 * workload's leaves signed by its issuing key, the revoked ones on its CRL, and an admin token from the demo
 * issuer. The host started on this directory and port then trusts, serves and checks exactly these.
 */
import { join } from "node:path";
import { loadDemoIssuer } from "../../shared/http/demo-issuer.ts";
import { openDemoCa } from "../../shared/local/demo-ca.ts";
import { freePort } from "./host-process.ts";
import { demoCaLeafMinter } from "./leaf-minter.ts";
import { KINDS, planWorkload, type Workload } from "./workload.ts";

export interface PreparedDataDir {
  readonly dataDir: string;
  /** The port the host must listen on: the demo CA wrote it into its CRL URLs. */
  readonly port: number;
  readonly workload: Workload;
  /** An admin bearer token, valid for an hour. */
  readonly token: string;
}

const DAY = 86_400_000;

export async function prepareDataDir(options: {
  readonly dataDir: string;
  readonly certificates: number;
  readonly users: number;
  readonly admin: string;
}): Promise<PreparedDataDir> {
  const { dataDir } = options;
  const port = await freePort();
  const now = new Date();
  const demoCa = await openDemoCa({
    dir: join(dataDir, "demo-ca"),
    baseUrl: `http://127.0.0.1:${port}`,
    now,
  });
  const minter = await demoCaLeafMinter({ demoCaDir: demoCa.dir, crlUrl: demoCa.crlUrls.issuing });
  const workload = planWorkload({ certificates: options.certificates, users: options.users, now, minter });
  for (const c of workload.certificates)
    if (KINDS[c.kind].revoke) await demoCa.revoke(c.leaf.serialNumber, new Date(now.getTime() - DAY));
  const issuer = await loadDemoIssuer(dataDir);
  const token = await issuer.mint({ role: "admin", userPrincipalName: options.admin, now });
  return { dataDir, port, workload, token };
}
