/**
 * The checks a limbo case asks of a TLS verifier that the S/MIME engine does not make: the peer name
 * (DNS or IP), and the caller's extended-key-usage and key-usage requirements. They are the harness's,
 * reported with `source: "harness"`, kept deliberately plain (RFC 6125 as Go and OpenSSL apply it: SAN
 * only, no common-name fallback, a wildcard only as the whole left-most label), so that every RFC 5280
 * question — name syntax, name constraints, criticality — is left to the engine to answer.
 */
import type { Certificate } from "../../shared/pki/certificate.ts";
import { Eku, KeyUsage } from "../../shared/pki/extensions.ts";
import type { ReportedProblem } from "./outcome.ts";

/** limbo's `expected_peer_name`. */
export interface PeerName {
  readonly kind: "DNS" | "IP" | "RFC822";
  readonly value: string;
}

const EMAIL_ADDRESS_ATTRIBUTE = "1.2.840.113549.1.9.1";

/** limbo's KnownEKUs names → OIDs. */
export const EKU_OIDS: Readonly<Record<string, string>> = {
  anyExtendedKeyUsage: Eku.any,
  serverAuth: Eku.serverAuth,
  clientAuth: Eku.clientAuth,
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: Eku.emailProtection,
  timeStamping: "1.3.6.1.5.5.7.3.8",
  OCSPSigning: "1.3.6.1.5.5.7.3.9",
};

/** limbo's KeyUsage names → mask bits. */
export const KEY_USAGE_BITS: Readonly<Record<string, number>> = {
  digitalSignature: KeyUsage.digitalSignature,
  contentCommitment: KeyUsage.nonRepudiation,
  keyEncipherment: KeyUsage.keyEncipherment,
  dataEncipherment: KeyUsage.dataEncipherment,
  keyAgreement: KeyUsage.keyAgreement,
  keyCertSign: KeyUsage.keyCertSign,
  cRLSign: KeyUsage.cRLSign,
  encipherOnly: KeyUsage.encipherOnly,
  decipherOnly: KeyUsage.decipherOnly,
};

const harness = (code: string, message: string): ReportedProblem => ({
  code,
  severity: "error",
  message,
  source: "harness",
});

/** A reference DNS name against one SAN dNSName: case-insensitive, `*.` only as a whole left-most label. */
export function dnsNameMatches(pattern: string, reference: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, "");
  const r = reference.toLowerCase().replace(/\.$/, "");
  if (p === r) return p.length > 0;
  if (!p.startsWith("*.")) return false;
  const dot = r.indexOf(".");
  // The wildcard stands for exactly one non-empty label, and never for the whole registrable part.
  return dot > 0 && r.slice(dot + 1) === p.slice(2) && p.slice(2).includes(".");
}

/** IPv4 dotted quad (no leading zeros, no hex) or IPv6 text to its octets; undefined when not an address. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  return text.includes(":") ? parseIpv6(text) : parseIpv4(text);
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255)) {
    return undefined;
  }
  return Uint8Array.from(parts.map(Number));
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] | undefined => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<string>(Math.max(missing, 0)).fill("0"), ...tail];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    const v = Number.parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The e-mail addresses of a certificate: SAN rfc822Names and subject emailAddress (DESIGN.md rule 3). */
function emailAddresses(leaf: Certificate): string[] {
  const fromSan = (leaf.subjectAltName ?? []).flatMap((n) => (n.type === "rfc822Name" ? [n.value] : []));
  const fromSubject = leaf.subject.rdns.flatMap((rdn) =>
    rdn.attributes.filter((a) => a.type === EMAIL_ADDRESS_ATTRIBUTE).map((a) => a.value),
  );
  return [...fromSan, ...fromSubject];
}

/** Whether the leaf is for `peer`; a problem when it is not. */
export function checkPeerName(leaf: Certificate, peer: PeerName): ReportedProblem[] {
  const san = leaf.subjectAltName ?? [];
  if (peer.kind === "DNS") {
    const ok = san.some((n) => n.type === "dNSName" && dnsNameMatches(n.value, peer.value));
    return ok ? [] : [harness("PEER_NAME_MISMATCH", `no SAN dNSName matches ${peer.value}`)];
  }
  if (peer.kind === "IP") {
    const wanted = parseIpAddress(peer.value);
    const ok = wanted !== undefined && san.some((n) => n.type === "iPAddress" && sameBytes(n.value, wanted));
    return ok ? [] : [harness("PEER_NAME_MISMATCH", `no SAN iPAddress equals ${peer.value}`)];
  }
  const wanted = peer.value.toLowerCase();
  const ok = emailAddresses(leaf).some((a) => a.toLowerCase() === wanted);
  return ok ? [] : [harness("SMTP_MISMATCH", `no e-mail address of the certificate equals ${peer.value}`)];
}

/** Each required EKU must be in the leaf's EKU extension (or anyExtendedKeyUsage), when it has one. */
export function checkExtendedKeyUsage(leaf: Certificate, required: readonly string[]): ReportedProblem[] {
  const present = leaf.extKeyUsage;
  if (present === undefined || required.length === 0) return [];
  const missing = required.filter((name) => {
    const oid = EKU_OIDS[name] ?? name;
    return !present.includes(oid) && !present.includes(Eku.any);
  });
  return missing.length === 0
    ? []
    : [
        harness(
          "EKU_MISMATCH",
          `extended key usage lacks ${missing.join(", ")} (has ${present.join(", ") || "none"})`,
        ),
      ];
}

/** Each required key usage bit must be set in the leaf's keyUsage, when it has one. */
export function checkKeyUsage(leaf: Certificate, required: readonly string[]): ReportedProblem[] {
  const mask = leaf.keyUsage;
  if (mask === undefined) return [];
  const missing = required.filter((name) => ((KEY_USAGE_BITS[name] ?? 0) & mask) === 0);
  return missing.length === 0 ? [] : [harness("KEY_USAGE_MISMATCH", `key usage lacks ${missing.join(", ")}`)];
}
