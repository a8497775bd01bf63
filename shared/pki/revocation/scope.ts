/**
 * Does a CRL cover a certificate through one of its distribution points? RFC 5280 §6.3.3 (b) and (c).
 */
import type { Certificate } from "../certificate.ts";
import type { Crl } from "../crl.ts";
import { distributionPointNames } from "../extension-decoders.ts";
import {
  ALL_REASONS,
  type DistributionPoint,
  type DistributionPointName,
  ReasonFlag,
} from "../extensions.ts";
import type { GeneralName } from "../general-name.ts";
import { type Name, namesEqual } from "../name.ts";

/**
 * A certificate without cRLDistributionPoints is checked against its issuer's CRLs for every reason: the
 * implicit point has no name, so a CRL limited to a named distribution point does not cover it (as in
 * OpenSSL; PKITS 4.14.3).
 */
export const IMPLICIT_DISTRIBUTION_POINT: DistributionPoint = {};

/** The directory names among general names. */
const directoryNames = (names: readonly GeneralName[] | undefined): Name[] =>
  (names ?? []).flatMap((n) => (n.type === "directoryName" ? [n.value] : []));

function sameGeneralName(a: GeneralName, b: GeneralName): boolean {
  if (a.type !== b.type) return false;
  if (a.type === "directoryName" && b.type === "directoryName") return namesEqual(a.value, b.value);
  if (typeof a.value === "string" && typeof b.value === "string") {
    // URIs and DNS names: scheme and host are case-insensitive, and real CAs vary only in those.
    return a.type === "uniformResourceIdentifier"
      ? a.value.toLowerCase() === b.value.toLowerCase()
      : a.value === b.value;
  }
  return Buffer.compare(a.value as Uint8Array, b.value as Uint8Array) === 0;
}

const overlaps = (a: readonly GeneralName[], b: readonly GeneralName[]): boolean =>
  a.some((x) => b.some((y) => sameGeneralName(x, y)));

// A CRL's own distribution point names, worked out once per CRL rather than once per certificate.
const idpNameCache = new WeakMap<Crl, GeneralName[]>();
function issuingPointNames(crl: Crl, name: DistributionPointName): GeneralName[] {
  let names = idpNameCache.get(crl);
  if (!names) {
    names = distributionPointNames(name, crl.issuer);
    idpNameCache.set(crl, names);
  }
  return names;
}

/** The name a relative DP name is relative to: the DP's cRLIssuer, else the certificate's issuer (§4.2.1.13). */
const dpBaseName = (dp: DistributionPoint, cert: Certificate): Name =>
  directoryNames(dp.crlIssuer)[0] ?? cert.issuer;

/**
 * Why `crl` does not cover `cert` through `dp`, or undefined when it does (RFC 5280 §6.3.3 (b)).
 * Only complete CRLs are matched here; deltas are matched to their complete CRL.
 */
export function scopeMismatch(crl: Crl, cert: Certificate, dp: DistributionPoint): string | undefined {
  const idp = crl.issuingDistributionPoint;
  // (b)(1): who may issue the CRL.
  if (dp.crlIssuer) {
    if (!directoryNames(dp.crlIssuer).some((n) => namesEqual(n, crl.issuer))) {
      return "the CRL issuer is not the distribution point's cRLIssuer";
    }
    if (!idp?.indirectCrl) return "a cRLIssuer distribution point needs an indirect CRL";
  } else if (!namesEqual(crl.issuer, cert.issuer)) {
    return "the CRL issuer is not the certificate issuer";
  }
  if (!idp) return undefined;
  // (b)(2)(i): the distribution point names.
  if (idp.distributionPoint) {
    const idpNames = issuingPointNames(crl, idp.distributionPoint);
    const dpNames = dp.name ? distributionPointNames(dp.name, dpBaseName(dp, cert)) : dp.crlIssuer;
    if (!dpNames || !overlaps(idpNames, dpNames))
      return "the CRL's issuing distribution point is not this one";
  }
  // (b)(2)(ii)–(iv): the kind of certificate the CRL lists.
  const isCa = cert.basicConstraints?.ca === true;
  if (idp.onlyContainsUserCerts && isCa) return "the CRL lists only end-entity certificates";
  if (idp.onlyContainsCACerts && !isCa) return "the CRL lists only CA certificates";
  if (idp.onlyContainsAttributeCerts) return "the CRL lists only attribute certificates";
  return undefined;
}

/** (c): the reasons this CRL can settle for this distribution point. */
export const interimReasons = (crl: Crl, dp: DistributionPoint): number =>
  (crl.issuingDistributionPoint?.onlySomeReasons ?? ALL_REASONS) & (dp.reasons ?? ALL_REASONS) & ALL_REASONS;

const FLAG_NAMES = Object.entries(ReasonFlag).filter(([name]) => name !== "unused");

/** "keyCompromise, cACompromise" for a ReasonFlag mask. */
export const reasonFlagNames = (mask: number): string =>
  FLAG_NAMES.filter(([, bit]) => mask & bit)
    .map(([name]) => name)
    .join(", ");

const isHttp = (uri: string): boolean => /^https?:\/\//i.test(uri);

const uris = (dp: DistributionPoint): string[] =>
  dp.name && "fullName" in dp.name
    ? dp.name.fullName.flatMap((n) => (n.type === "uniformResourceIdentifier" ? [n.value] : []))
    : [];

// An intermediate's distribution points are the same objects for each of the 10,000 leaves under it.
const httpCache = new WeakMap<DistributionPoint, string[]>();

/** The http(s) URLs among a distribution point's full names, in order. */
export function httpUrls(dp: DistributionPoint): string[] {
  let urls = httpCache.get(dp);
  if (!urls) {
    urls = uris(dp).filter(isHttp);
    httpCache.set(dp, urls);
  }
  return urls;
}

/** The URIs that are not http(s) (ldap://, file://, …): named in an unreachable-CRL message. */
export const otherUrls = (dp: DistributionPoint): string[] => uris(dp).filter((u) => !isHttp(u));
