/**
 * Expected-FAILURE cases for which a `warning` (NONCONFORMANT, naming the rule) is the right answer:
 * the certificate breaks an RFC 5280 rule that Exchange Online, Outlook and the mainstream validators
 * tolerate (DESIGN.md, "Problem codes"). Each entry names the rule and the evidence. Reviewed case by
 * case: a case answered with only warnings and not listed here is a miss, and a listed case answered with
 * an error is simply right (the run lists such entries as unused, to keep this list honest).
 *
 * Evidence: `openssl verify` (OpenSSL 3.0.19, default flags, the case's time, trust anchors, intermediates,
 * CRLs and peer name) accepted every case listed here when the list was reviewed, by default or, where
 * said, with -partial_chain: that flag only switches OpenSSL to RFC 5280's trust-anchor model (any
 * configured certificate is an anchor, self-signed or not), which is the model of this engine and of
 * Exchange Online's certificate collection. Cases OpenSSL rejects either way (a critical AKI, SKI or AIA,
 * a critical CRL number, explicit curve parameters) are deliberately not listed. Where
 * Botan's limbo runner (src/scripts/run_limbo_tests.py) also accepts the case it is named too: it files
 * them as "conflates CA and verifier requirements", i.e. rules for issuers, not for relying parties.
 *
 * Keys: limbo ids as they are; PKITS ids as `pkits::<id>`.
 */

export interface Tolerated {
  /** The rule that is broken. */
  readonly rule: string;
  /** The RFC section of the rule, e.g. "4.2.1.1": a warning must name it for the case to count as right. */
  readonly section: string;
  /** Why a warning is right: which mainstream validators accept it. */
  readonly evidence: string;
}

const OPENSSL = "openssl verify 3.0.19 accepts it";
/** Issuance-profile rules of the CA/Browser Forum S/MIME Baseline Requirements (webpki's TLS twins of them). */
const SMIME_PROFILE =
  "openssl verify 3.0.19 accepts it; a rule of the S/MIME Baseline Requirements' issuance profile, which " +
  "Exchange Online and CryptoAPI do not enforce, reported as NONCONFORMANT naming the rule";
const OPENSSL_AND_BOTAN = `${OPENSSL}; Botan's limbo runner accepts it ("conflates CA and verifier requirements")`;

export const TOLERATED: Readonly<Record<string, Tolerated>> = {
  "webpki::forbidden-p192-leaf": {
    rule: "S/MIME BR 6.1.5: RSA keys of at least 2048 bits in multiples of 8, EC on P-256/384/521, no DSA",
    section: "6.1.5",
    evidence: SMIME_PROFILE,
  },
  "webpki::forbidden-dsa-root": {
    rule: "S/MIME BR 6.1.5: RSA keys of at least 2048 bits in multiples of 8, EC on P-256/384/521, no DSA",
    section: "6.1.5",
    evidence: SMIME_PROFILE,
  },
  "webpki::forbidden-dsa-leaf": {
    rule: "S/MIME BR 6.1.5: RSA keys of at least 2048 bits in multiples of 8, EC on P-256/384/521, no DSA",
    section: "6.1.5",
    evidence: SMIME_PROFILE,
  },
  "webpki::forbidden-weak-rsa-key-in-root": {
    rule: "S/MIME BR 6.1.5: RSA keys of at least 2048 bits in multiples of 8, EC on P-256/384/521, no DSA",
    section: "6.1.5",
    evidence: SMIME_PROFILE,
  },
  "webpki::forbidden-weak-rsa-in-leaf": {
    rule: "S/MIME BR 6.1.5: RSA keys of at least 2048 bits in multiples of 8, EC on P-256/384/521, no DSA",
    section: "6.1.5",
    evidence: SMIME_PROFILE,
  },
  "webpki::forbidden-rsa-not-divisible-by-8-in-root": {
    rule: "S/MIME BR 6.1.5: RSA keys of at least 2048 bits in multiples of 8, EC on P-256/384/521, no DSA",
    section: "6.1.5",
    evidence: SMIME_PROFILE,
  },
  "webpki::forbidden-rsa-key-not-divisible-by-8-in-leaf": {
    rule: "S/MIME BR 6.1.5: RSA keys of at least 2048 bits in multiples of 8, EC on P-256/384/521, no DSA",
    section: "6.1.5",
    evidence: SMIME_PROFILE,
  },
  "webpki::ee-basicconstraints-ca": {
    rule: "S/MIME BR 7.1.2.3 (d): a subscriber certificate's basicConstraints cA MUST be false",
    section: "7.1.2.3",
    evidence: SMIME_PROFILE,
  },
  "webpki::ca-as-leaf": {
    rule: "S/MIME BR 7.1.2.3 (d): a subscriber certificate's basicConstraints cA MUST be false",
    section: "7.1.2.3",
    evidence: `${SMIME_PROFILE}; rfc5280::ca-as-leaf expects SUCCESS for a CA certificate as the end entity`,
  },
  "webpki::eku::ee-without-eku": {
    rule: "S/MIME BR 7.1.2.3 (f): extKeyUsage MUST be present with id-kp-emailProtection",
    section: "7.1.2.3",
    evidence: `${SMIME_PROFILE}; RFC 5280 4.2.1.12 and DESIGN.md rule 4 apply EKU only when present`,
  },
  "webpki::eku::ee-anyeku": {
    rule: "S/MIME BR 7.1.2.3 (f): anyExtendedKeyUsage SHALL NOT be present",
    section: "7.1.2.3",
    evidence: `${SMIME_PROFILE}; RFC 5280 4.2.1.12 and CryptoAPI accept anyExtendedKeyUsage`,
  },
  "webpki::eku::root-has-eku": {
    rule: "S/MIME BR 7.1.2.1 (g): a root CA certificate's extKeyUsage MUST NOT be present",
    section: "7.1.2.1",
    evidence: `${SMIME_PROFILE}; RFC 5280 puts no EKU rule on trust anchors`,
  },
  "rfc5280::nc::invalid-dnsname-leading-period": {
    rule: "RFC 5280 §4.2.1.10: a dNSName constraint is a DNS name, without a leading period",
    section: "4.2.1.10",
    evidence: `${OPENSSL} (also with -x509_strict); OpenSSL and Go read the leading period as "subdomains only"`,
  },
  "rfc5280::nc::not-allowed-in-ee-noncritical": {
    rule: "RFC 5280 §4.2.1.10: name constraints MUST only be used in a CA certificate",
    section: "4.2.1.10",
    evidence: `${OPENSSL} (also with -x509_strict); an end entity's constraints constrain nothing`,
  },
  "rfc5280::nc::not-allowed-in-ee-critical": {
    rule: "RFC 5280 §4.2.1.10: name constraints MUST only be used in a CA certificate",
    section: "4.2.1.10",
    evidence: `${OPENSSL} (also with -x509_strict); an end entity's constraints constrain nothing`,
  },
  "rfc5280::aki::leaf-missing-aki": {
    rule: "RFC 5280 §4.2.1.1: AKI keyIdentifier MUST be in every certificate but a self-signed root",
    section: "4.2.1.1",
    evidence: `${OPENSSL_AND_BOTAN}; AKI is only a path-building hint`,
  },
  "rfc5280::aki::intermediate-missing-aki": {
    rule: "RFC 5280 §4.2.1.1: AKI keyIdentifier MUST be in every certificate but a self-signed root",
    section: "4.2.1.1",
    evidence: `${OPENSSL_AND_BOTAN}; AKI is only a path-building hint`,
  },
  "rfc5280::aki::cross-signed-root-missing-aki": {
    rule: "RFC 5280 §4.2.1.1: AKI keyIdentifier MUST be in every certificate but a self-signed root",
    section: "4.2.1.1",
    evidence:
      "openssl verify -partial_chain accepts it (without the flag OpenSSL refuses any anchor that is not " +
      "self-signed, which is not the AKI rule); AKI is only a path-building hint",
  },
  "rfc5280::ski::root-missing-ski": {
    rule: "RFC 5280 §4.2.1.2: SKI MUST appear in every CA certificate",
    section: "4.2.1.2",
    evidence: OPENSSL_AND_BOTAN,
  },
  "rfc5280::ski::intermediate-missing-ski": {
    rule: "RFC 5280 §4.2.1.2: SKI MUST appear in every CA certificate",
    section: "4.2.1.2",
    evidence: OPENSSL_AND_BOTAN,
  },
  "rfc5280::serial::too-long": {
    rule: "RFC 5280 §4.1.2.2: serialNumber at most 20 octets",
    section: "4.1.2.2",
    evidence: `${OPENSSL_AND_BOTAN}; RFC 5280 itself asks users to handle longer serials gracefully`,
  },
  "rfc5280::serial::zero": {
    rule: "RFC 5280 §4.1.2.2: serialNumber MUST be positive",
    section: "4.1.2.2",
    evidence: `${OPENSSL_AND_BOTAN}; RFC 5280 asks users to handle non-positive serials gracefully`,
  },
  "rfc5280::pc::ica-noncritical-pc": {
    rule: "RFC 5280 §4.2.1.11: policyConstraints MUST be critical",
    section: "4.2.1.11",
    evidence: `${OPENSSL_AND_BOTAN}; the constraint is still processed`,
  },
  "rfc5280::san::noncritical-with-empty-subject": {
    rule: "RFC 5280 §4.2.1.6: SAN MUST be critical when the subject is empty",
    section: "4.2.1.6",
    evidence: OPENSSL_AND_BOTAN,
  },
  "rfc5280::san::underscore-dns": {
    rule: "RFC 5280 §4.2.1.6: a dNSName MUST be in the RFC 1034 preferred name syntax (no '_')",
    section: "4.2.1.6",
    evidence: `${OPENSSL}, also with -x509_strict; name constraints still apply to the name as written`,
  },
  "rfc5280::nc::permitted-dns-match-noncritical": {
    rule: "RFC 5280 §4.2.1.10: nameConstraints MUST be critical",
    section: "4.2.1.10",
    evidence:
      `${OPENSSL_AND_BOTAN}; limbo's own webpki::nc::permitted-dns-match-noncritical expects SUCCESS ` +
      "for the same chain, and the constraints are still enforced",
  },
  "rfc5280::root-missing-basic-constraints": {
    rule: "RFC 5280 §4.2.1.9: a CA certificate MUST carry basicConstraints with cA set",
    section: "4.2.1.9",
    evidence: `${OPENSSL} (without -x509_strict); the root is a trust anchor, trusted by configuration`,
  },
  "rfc5280::root-non-critical-basic-constraints": {
    rule: "RFC 5280 §4.2.1.9: basicConstraints MUST be critical in CA certificates",
    section: "4.2.1.9",
    evidence: `${OPENSSL_AND_BOTAN} (without -x509_strict)`,
  },
  "rfc5280::leaf-ku-keycertsign": {
    rule: "RFC 5280 §4.2.1.3: keyCertSign asserted requires basicConstraints cA",
    section: "4.2.1.3",
    evidence: `${OPENSSL} (without -x509_strict); the leaf still cannot act as a CA without cA`,
  },
  "crl::crlnumber-missing": {
    rule: "RFC 5280 §5.2.3: a CRL MUST carry the CRL number extension",
    section: "5.2.3",
    evidence: `${OPENSSL} with -crl_check; the CRL's signature, issuer and freshness are still checked`,
  },
};
