/**
 * limbo cases not judged, each with its reason: only `webpki::` cases whose rule exists solely in the
 * CA/Browser Forum TLS server profile (the Baseline Requirements), which an S/MIME validator mirroring
 * Exchange Online and Outlook does not apply. Reviewed case by case; a unit test keeps every entry a real
 * webpki case. Skipped cases are still run and their answers shown in the report, so a skip never hides
 * a crash.
 */

const CN_RULE =
  "CA/B BR 7.1.4.3 (the subject CN must copy a SAN entry byte for byte) is a TLS issuance profile rule; " +
  "peer names come from the SAN only, and S/MIME has no CN rule in Exchange Online or Outlook";
const KEY_POLICY =
  "CA/B BR 6.1.5 key type and size policy is a TLS issuance rule; RFC 5280 path validation has none, and " +
  "PKITS 4.1.4/4.1.5 require DSA-signed paths to validate";
const ROOT_AKI =
  "CA/B BR 7.1.2.1.3 root AKI profile; RFC 5280 §4.2.1.1 allows any AKI form in a self-signed root and " +
  "trust anchors are not validated (Botan's limbo runner: 'conflates CA and verifier requirements')";

export const LIMBO_SKIPS: Readonly<Record<string, string>> = {
  "webpki::aki::root-with-aki-missing-keyidentifier": ROOT_AKI,
  "webpki::aki::root-with-aki-authoritycertissuer": ROOT_AKI,
  "webpki::aki::root-with-aki-authoritycertserialnumber": ROOT_AKI,
  "webpki::aki::root-with-aki-all-fields": ROOT_AKI,
  "webpki::aki::root-with-aki-ski-mismatch": ROOT_AKI,

  "webpki::cn::ipv4-hex-mismatch": CN_RULE,
  "webpki::cn::ipv4-leading-zeros-mismatch": CN_RULE,
  "webpki::cn::ipv6-uppercase-mismatch": CN_RULE,
  "webpki::cn::ipv6-uncompressed-mismatch": CN_RULE,
  "webpki::cn::ipv6-non-rfc5952-mismatch": CN_RULE,
  "webpki::cn::punycode-not-in-san": CN_RULE,
  "webpki::cn::utf8-vs-punycode-mismatch": CN_RULE,
  "webpki::cn::not-in-san": CN_RULE,
  "webpki::cn::case-mismatch": CN_RULE,

  "webpki::eku::ee-anyeku":
    "CA/B BR 7.1.2.7.10 forbids anyExtendedKeyUsage in TLS leaves; the S/MIME rule (DESIGN.md rule 4) " +
    "accepts it, as RFC 5280 §4.2.1.12 and Windows CryptoAPI do",
  "webpki::eku::ee-critical-eku":
    "CA/B BR 7.1.2.7.6 wants a non-critical EKU in TLS leaves; RFC 5280 §4.2.1.12 lets it be critical",
  "webpki::eku::ee-without-eku":
    "CA/B BR 7.1.2.7.6 requires an EKU in TLS leaves; the S/MIME rule (DESIGN.md rule 4) applies EKU " +
    "only when present, as RFC 5280 §4.2.1.12 does",
  "webpki::eku::root-has-eku":
    "CA/B BR 7.1.2.1.2 forbids an EKU in TLS roots; RFC 5280 puts no EKU rule on trust anchors",

  "webpki::san::public-suffix-multi-label-wildcard-san":
    "public-suffix-list wildcard rejection is a browser TLS rule (CA/B BR 3.2.2.6); S/MIME identities " +
    "are e-mail addresses, never wildcards, so the engine carries no PSL",
  "webpki::san::public-suffix-private-namespace-wildcard-san":
    "public-suffix-list wildcard rejection is a browser TLS rule (CA/B BR 3.2.2.6); S/MIME identities " +
    "are e-mail addresses, never wildcards, so the engine carries no PSL",
  "webpki::san::san-critical-with-nonempty-subject":
    "CA/B BR 7.1.2.7.12 forbids a critical SAN with a non-empty subject; RFC 5280 §4.2.1.6 only says SHOULD",

  "webpki::forbidden-p192-root": KEY_POLICY,
  "webpki::forbidden-p192-leaf": KEY_POLICY,
  "webpki::forbidden-dsa-root": KEY_POLICY,
  "webpki::forbidden-dsa-leaf": KEY_POLICY,
  "webpki::forbidden-weak-rsa-key-in-root": KEY_POLICY,
  "webpki::forbidden-weak-rsa-in-leaf": KEY_POLICY,
  "webpki::forbidden-rsa-not-divisible-by-8-in-root": KEY_POLICY,
  "webpki::forbidden-rsa-key-not-divisible-by-8-in-leaf": KEY_POLICY,

  "webpki::ee-basicconstraints-ca":
    "CA/B BR 7.1.2.7.8 wants cA false in TLS leaves; RFC 5280 allows a CA certificate as the end entity " +
    "(rfc5280::ca-as-leaf expects SUCCESS)",
  "webpki::ca-as-leaf":
    "CA/B BR 7.1.2.7.8/11 forbid a CA certificate as a TLS leaf; it conflicts with rfc5280::ca-as-leaf, " +
    "which expects SUCCESS and which this validator follows",
};
