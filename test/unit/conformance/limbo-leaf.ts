/**
 * Test support: the parsed peer certificate of an x509-limbo case, from the shared conformance data.
 */
import { resolve } from "node:path";
import { type Certificate, parseCertificate } from "../../../shared/pki/certificate.ts";
import { extractCertificates } from "../../../shared/pki/formats.ts";
import { type LimboCase, loadLimbo } from "../../conformance/limbo.ts";

export const CONFORMANCE_DIR = resolve(process.cwd(), "../shared/conformance");
export const LIMBO_JSON = resolve(CONFORMANCE_DIR, "limbo/limbo.json");

let cached: Map<string, LimboCase> | undefined;

/** Every limbo case by id (read once). */
export function limboCases(): Map<string, LimboCase> {
  cached ??= new Map(loadLimbo(LIMBO_JSON).map((c) => [c.id, c]));
  return cached;
}

/** One limbo case; throws when the id is unknown, so a renamed case fails loudly. */
export function limboCase(id: string): LimboCase {
  const c = limboCases().get(id);
  if (!c) throw new Error(`no limbo case ${id}`);
  return c;
}

/** The parsed peer certificate of a limbo case. */
export function limboLeaf(id: string): Certificate {
  const [der] = extractCertificates(new TextEncoder().encode(limboCase(id).peer_certificate), id);
  if (!der) throw new Error(`no peer certificate in ${id}`);
  return parseCertificate(der);
}
