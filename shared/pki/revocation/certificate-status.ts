/**
 * The RFC 5280 §6.3.3 algorithm for one certificate: walk its distribution points, read every CRL that
 * covers reasons not yet covered, stop once it is revoked or all reasons are covered.
 */
import type { Certificate } from "../certificate.ts";
import { type Crl, CrlParseError, CrlReason, type RevokedEntry } from "../crl.ts";
import { ALL_REASONS, type DistributionPoint } from "../extensions.ts";
import { formatName } from "../name.ts";
import type { Problem } from "../problems.ts";
import type { CrlFetchResult } from "../revocation.ts";
import { crlDefect } from "./crl-checks.ts";
import { findCrlSigner, type SignerSearch } from "./crl-signer.ts";
import { deltaApplies, freshestUrls, isCurrent, pickDelta } from "./delta.ts";
import { invalid, nonconformant, revoked, type Subject, stale, unreachable } from "./report.ts";
import {
  httpUrls,
  IMPLICIT_DISTRIBUTION_POINT,
  interimReasons,
  otherUrls,
  reasonFlagNames,
  scopeMismatch,
} from "./scope.ts";

/** Everything the algorithm needs for one certificate of a path. */
export interface StatusInput {
  readonly subject: Subject;
  readonly time: Date;
  /** Given complete CRLs and delta CRLs, split once per path. */
  readonly completes: readonly Crl[];
  readonly deltas: readonly Crl[];
  readonly fetchCrl: ((url: string) => Promise<CrlFetchResult>) | undefined;
  readonly signers: SignerSearch;
}

interface State {
  /** reasons_mask: the reasons settled so far. */
  reasons: number;
  revoked?: Problem;
  /** Why CRLs that could have settled the status were not usable; reported only if it stays unsettled. */
  readonly failures: Problem[];
  readonly warnings: Problem[];
}

const settled = (s: State): boolean => s.revoked !== undefined || s.reasons === ALL_REASONS;

/** The entry that decides the status, after delta overrides and removeFromCRL (§6.3.3 (h)–(j)). */
function listing(cert: Certificate, complete: Crl, delta: Crl | undefined): RevokedEntry | undefined {
  const fromDelta = delta?.lookupSerial(cert.serialNumberBytes, cert.issuer);
  const entry = fromDelta ?? complete.lookupSerial(cert.serialNumberBytes, cert.issuer);
  return entry && entry.reason !== CrlReason.removeFromCRL ? entry : undefined;
}

async function findDelta(complete: Crl, signer: Certificate, input: StatusInput): Promise<Crl | undefined> {
  const { path } = input.signers;
  const given = pickDelta(input.deltas, complete, signer, path, input.time);
  if (given || !input.fetchCrl) return given;
  for (const url of freshestUrls(complete, input.subject.cert)) {
    const fetched = await input.fetchCrl(url);
    if (fetched.ok && deltaApplies(fetched.crl, complete, signer, path, input.time)) return fetched.crl;
  }
  return undefined;
}

/** Reads one complete CRL that is in scope for `dp`; `url` is where it came from, when fetched. */
async function readCrl(
  crl: Crl,
  dp: DistributionPoint,
  url: string | undefined,
  input: StatusInput,
  state: State,
) {
  const s = input.subject;
  const interim = interimReasons(crl, dp);
  if ((interim & ~state.reasons) === 0) return; // (d): nothing new to learn from it
  const defect = crlDefect(crl);
  if (defect) return void state.failures.push(invalid(s, crl, defect, url));
  if (crl.thisUpdate.getTime() > input.time.getTime()) {
    return void state.failures.push(invalid(s, crl, `not valid before ${crl.thisUpdate.toISOString()}`, url));
  }
  const found = await findCrlSigner(crl, input.signers);
  if ("reason" in found) return void state.failures.push(invalid(s, crl, found.reason, url));
  if (!crl.nextUpdate)
    state.warnings.push(nonconformant(s, crl, "RFC 5280 §5.1.2.5 (nextUpdate is required)"));
  if (crl.crlNumber === undefined)
    state.warnings.push(nonconformant(s, crl, "RFC 5280 §5.2.3 (cRLNumber is required)"));
  // A stale complete CRL still counts with a current delta on top (§6.3.3 (a)(1)(i)).
  const delta = await findDelta(crl, found.signer, input);
  let entry: RevokedEntry | undefined;
  try {
    entry = listing(s.cert, crl, delta);
  } catch (e) {
    if (e instanceof CrlParseError) return void state.failures.push(invalid(s, crl, e.message, url));
    throw e;
  }
  // A revocation on an authentic CRL stands even when the CRL is past its nextUpdate.
  if (entry) {
    state.revoked = revoked(s, entry, crl);
    return;
  }
  if (!delta && !isCurrent(crl, input.time)) return void state.failures.push(stale(s, crl, url));
  state.reasons |= interim;
}

/** Why a distribution point gave no CRL at all, when neither a given CRL nor an http(s) URL serves it. */
function noSource(dp: DistributionPoint, input: StatusInput): Problem {
  const s = input.subject;
  const delta = input.deltas.find((d) => scopeMismatch(d, s.cert, dp) === undefined);
  if (delta) {
    return invalid(s, delta, "only a delta CRL is available, and a delta CRL needs its complete CRL");
  }
  // A CRL of the right issuer that does not cover this certificate says more than "no CRL".
  const issuerKey = s.cert.issuer.key;
  for (const crl of input.completes) {
    const why = scopeMismatch(crl, s.cert, dp);
    if (why && crl.issuer.key === issuerKey) {
      return unreachable(s, `the CRL of '${formatName(crl.issuer)}' does not cover it: ${why}`);
    }
  }
  if (dp === IMPLICIT_DISTRIBUTION_POINT) {
    return unreachable(
      s,
      `no CRL distribution point, and no CRL of '${formatName(s.cert.issuer)}' was given`,
    );
  }
  const [first, ...more] = otherUrls(dp);
  if (first) {
    const also = more.length > 0 ? ` (nor are ${more.join(", ")})` : "";
    return unreachable(
      s,
      `not an http(s) URL${also}; Exchange Online fetches CRLs over HTTP from the internet`,
      first,
    );
  }
  return unreachable(s, "the distribution point names no http(s) URL, and no CRL given for it matches");
}

async function readDistributionPoint(dp: DistributionPoint, input: StatusInput, state: State): Promise<void> {
  const s = input.subject;
  let matched = false;
  for (const crl of input.completes) {
    if (scopeMismatch(crl, s.cert, dp) !== undefined) continue;
    matched = true;
    await readCrl(crl, dp, undefined, input, state);
    if (settled(state)) return;
  }
  const urls = httpUrls(dp);
  if (urls.length === 0) {
    if (!matched) state.failures.push(noSource(dp, input));
    return;
  }
  if (!input.fetchCrl) {
    // When a given CRL matched but was unusable, its failure says why; "offline" would only add noise.
    if (!matched) {
      state.failures.push(
        unreachable(s, "offline: fetching CRLs is disabled and no CRL was given for it", urls[0]),
      );
    }
    return;
  }
  for (const url of urls) {
    const fetched = await input.fetchCrl(url);
    if (!fetched.ok) {
      state.failures.push(
        fetched.kind === "unusable"
          ? invalid(s, undefined, fetched.reason, url)
          : unreachable(s, fetched.reason, url),
      );
      continue;
    }
    const crl = fetched.crl;
    const mismatch =
      crl.deltaCrlIndicator !== undefined ? "it is a delta CRL" : scopeMismatch(crl, s.cert, dp);
    if (mismatch) {
      state.failures.push(invalid(s, crl, mismatch, url));
      continue;
    }
    await readCrl(crl, dp, url, input, state);
    if (settled(state)) return;
  }
}

/** The revocation problems of one certificate: empty when CRLs prove it unrevoked for every reason. */
export async function certificateStatus(input: StatusInput): Promise<Problem[]> {
  const state: State = { reasons: 0, failures: [], warnings: [] };
  const points = input.subject.cert.crlDistributionPoints ?? [IMPLICIT_DISTRIBUTION_POINT];
  for (const dp of points) {
    await readDistributionPoint(dp, input, state);
    if (settled(state)) break;
  }
  const warnings = unique(state.warnings);
  if (state.revoked) return [state.revoked, ...warnings];
  if (state.reasons === ALL_REASONS) return warnings;
  const failures = unique(state.failures);
  if (failures.length === 0) {
    const missing = reasonFlagNames(ALL_REASONS & ~state.reasons);
    failures.push(unreachable(input.subject, `no CRL covers the revocation reasons ${missing}`));
  }
  return [...failures, ...warnings];
}

function unique(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.code}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
