/**
 * checkRevocation with a test PKI and CRLs minted at fixed dates (CRLs valid 2026-05-25 … 2026-06-08,
 * checked at 2026-06-01). Each case names the problem codes it must yield, in order.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { beforeAll, describe, expect, it } from "vitest";
import { type Certificate, parseCertificate } from "../../../shared/pki/certificate.ts";
import { type Crl, parseCrl } from "../../../shared/pki/crl.ts";
import { error, type Problem, ProblemCode } from "../../../shared/pki/problems.ts";
import {
  type CrlFetchResult,
  checkRevocation,
  type RevocationContext,
} from "../../../shared/pki/revocation.ts";
import * as d from "../../support/der-writer.ts";
import {
  CRL_NEXT_UPDATE,
  type CrlOptions,
  ext,
  generalName,
  type Minted,
  mintCrl,
  mintIntermediate,
  mintLeaf,
  mintRoot,
  NOW,
  type RawExtension,
} from "../../support/pki.ts";

const { keyCompromise, certificateHold, removeFromCRL, superseded } = x509.X509CrlReason;
const URL_A = "http://crl.contoso.test/ca.crl";
const URL_B = "http://crl2.contoso.test/ca.crl";
const ROOT_URL = "http://crl.contoso.test/root.crl";

/** A cRLDistributionPoints extension from raw DistributionPoint SEQUENCEs. */
const cdp = (...points: Uint8Array[]): RawExtension => ({ oid: "2.5.29.31", value: d.seq(...points) });
/** DistributionPoint { distributionPoint [0] { fullName [0] uris }, reasons [1], cRLIssuer [2] }. */
function point(o: { uris?: string[]; reasons?: number; crlIssuer?: string }): Uint8Array {
  const fields: Uint8Array[] = [];
  if (o.uris) fields.push(d.explicit(0, d.explicit(0, ...o.uris.map((uri) => generalName({ uri })))));
  if (o.reasons !== undefined) fields.push(d.implicit(1, d.namedBits(o.reasons)));
  if (o.crlIssuer) fields.push(d.tlv(0xa2, generalName({ dn: o.crlIssuer })));
  return d.seq(...fields);
}
const DELTA_URL = "http://crl.contoso.test/ca-delta.crl";
/** freshestCRL: where the delta CRLs are (same syntax as cRLDistributionPoints). */
const freshest = (url: string): RawExtension => ({ oid: "2.5.29.46", value: d.seq(point({ uris: [url] })) });
const KEY_COMPROMISE_FLAGS = (1 << 1) | (1 << 2); // keyCompromise, cACompromise
const OTHER_REASON_FLAGS = 0x1fe & ~KEY_COMPROMISE_FLAGS;

interface Pki {
  root: Minted;
  ca: Minted;
  caNoCrlSign: Minted;
  crlIssuer: Minted;
  stranger: Minted;
}

let pki: Pki;
const certs = new Map<Minted, Certificate>();
const cert = (m: Minted): Certificate => {
  let c = certs.get(m);
  if (!c) {
    c = parseCertificate(m.der);
    certs.set(m, c);
  }
  return c;
};
const crl = async (o: CrlOptions): Promise<Crl> => parseCrl((await mintCrl(o)).der);

interface Case {
  /** The path under test, anchor first; defaults to root → ca → leaf. */
  path: () => Promise<Minted[]>;
  crls?: () => Promise<Crl[]>;
  /** URL → CRL (or failure reason); absent means offline. */
  fetch?: () => Promise<Record<string, Crl | string>>;
  time?: Date;
  validateSigner?: RevocationContext["validateSigner"];
  expected: ProblemCode[];
  check?: (problems: Problem[]) => void;
}

/** A leaf under the CA with an http distribution point, plus the root's and the CA's CRLs given. */
const leafUnderCa =
  (o: Partial<Parameters<typeof mintLeaf>[0]> = {}) =>
  async () => [pki.root, pki.ca, await mintLeaf({ issuer: pki.ca, crlUrls: [URL_A], ...o })];
const rootCrl = () => crl({ issuer: pki.root });
const withRootCrl =
  (...more: (() => Promise<Crl>)[]) =>
  async () => [await rootCrl(), ...(await Promise.all(more.map((m) => m())))];

async function run(c: Case): Promise<Problem[]> {
  const path = (await c.path()).map(cert);
  const fetched = c.fetch ? await c.fetch() : undefined;
  const calls: string[] = [];
  const ctx: RevocationContext = {
    time: c.time ?? NOW,
    crls: c.crls ? await c.crls() : [],
    ...(fetched && {
      fetchCrl: async (url: string): Promise<CrlFetchResult> => {
        calls.push(url);
        const hit = fetched[url];
        if (hit === undefined) return { ok: false, reason: "HTTP 404" };
        return typeof hit === "string" ? { ok: false, reason: hit } : { ok: true, crl: hit };
      },
    }),
    candidateSigners: [pki.root, pki.ca, pki.crlIssuer, pki.stranger].map(cert),
    validateSigner: c.validateSigner ?? (async () => []),
  };
  return checkRevocation(path, ctx);
}

beforeAll(async () => {
  const root = await mintRoot({ subject: "CN=Revocation Root, O=Contoso Test" });
  const ca = await mintIntermediate({
    issuer: root,
    subject: "CN=Revocation CA, O=Contoso Test",
    crlUrls: [ROOT_URL],
  });
  const caNoCrlSign = await mintIntermediate({
    issuer: root,
    subject: "CN=No cRLSign CA, O=Contoso Test",
    keyUsage: x509.KeyUsageFlags.keyCertSign,
  });
  const crlIssuer = await mintIntermediate({
    issuer: root,
    subject: "CN=Indirect CRL Issuer, O=Contoso Test",
  });
  const stranger = await mintIntermediate({ issuer: root, subject: "CN=Revocation CA, O=Contoso Test" });
  pki = { root, ca, caNoCrlSign, crlIssuer, stranger };
});

const cases: Record<string, Case> = {
  "not revoked": {
    path: leafUnderCa({ serial: "5001" }),
    crls: withRootCrl(() => crl({ issuer: pki.ca, entries: [{ serial: "5002", reason: keyCompromise }] })),
    expected: [],
  },
  revoked: {
    path: leafUnderCa({ serial: "5003" }),
    crls: withRootCrl(() =>
      crl({
        issuer: pki.ca,
        entries: [{ serial: "5003", reason: keyCompromise, date: new Date("2026-05-02T00:00:00Z") }],
      }),
    ),
    expected: [ProblemCode.REVOKED],
    check: ([p]) =>
      expect(p).toMatchObject({
        serialNumber: "5003",
        reason: "keyCompromise",
        revokedAt: "2026-05-02T00:00:00.000Z",
        certificate: "CN=alice",
        index: 0,
      }),
  },
  "on hold": {
    path: leafUnderCa({ serial: "5004" }),
    crls: withRootCrl(() => crl({ issuer: pki.ca, entries: [{ serial: "5004", reason: certificateHold }] })),
    expected: [ProblemCode.REVOKED],
    check: ([p]) => {
      expect(p?.reason).toBe("certificateHold");
      expect(p?.message).toMatch(/on hold/);
    },
  },
  "intermediate revoked by the root": {
    path: leafUnderCa(),
    crls: async () => [
      await crl({ issuer: pki.root, entries: [{ serial: pki.ca.serial, reason: superseded }] }),
      await crl({ issuer: pki.ca }),
    ],
    expected: [ProblemCode.REVOKED],
    check: ([p]) => expect(p).toMatchObject({ index: 1, reason: "superseded" }),
  },
  "stale CRLs, and the distribution points serve the same": {
    path: leafUnderCa(),
    crls: withRootCrl(() => crl({ issuer: pki.ca })),
    fetch: async () => ({ [ROOT_URL]: await rootCrl(), [URL_A]: await crl({ issuer: pki.ca }) }),
    time: new Date("2026-06-09T00:00:00Z"),
    expected: [ProblemCode.CRL_STALE, ProblemCode.CRL_STALE, ProblemCode.CRL_STALE, ProblemCode.CRL_STALE],
    check: ([p, q]) => {
      expect(p?.nextUpdate).toBe(CRL_NEXT_UPDATE.toISOString());
      expect(q?.url).toBe(ROOT_URL);
    },
  },
  "a stale CRL still proves a revocation": {
    path: leafUnderCa({ serial: "5005" }),
    crls: async () => [
      await crl({ issuer: pki.root, nextUpdate: new Date("2026-07-01T00:00:00Z") }),
      await crl({ issuer: pki.ca, entries: [{ serial: "5005", reason: keyCompromise }] }),
    ],
    time: new Date("2026-06-09T00:00:00Z"),
    expected: [ProblemCode.REVOKED],
  },
  "CRL not yet valid": {
    path: leafUnderCa(),
    crls: withRootCrl(() => crl({ issuer: pki.ca, thisUpdate: new Date("2026-06-02T00:00:00Z") })),
    expected: [ProblemCode.CRL_INVALID],
    check: ([p]) => expect(p?.message).toMatch(/not valid before 2026-06-02/),
  },
  "CRL signed by the wrong key": {
    path: leafUnderCa(),
    crls: withRootCrl(() => crl({ issuer: pki.ca, signer: pki.root.keys })),
    expected: [ProblemCode.CRL_INVALID],
    check: ([p]) => expect(p?.message).toMatch(/does not verify/),
  },
  "CRL signer without cRLSign": {
    path: async () => [pki.root, pki.caNoCrlSign, await mintLeaf({ issuer: pki.caNoCrlSign })],
    crls: withRootCrl(() => crl({ issuer: pki.caNoCrlSign })),
    expected: [ProblemCode.CRL_INVALID],
    check: ([p]) => expect(p?.message).toMatch(/cRLSign/),
  },
  "a same-named CRL signer whose own path fails": {
    path: leafUnderCa(),
    crls: withRootCrl(() => crl({ issuer: pki.ca, signer: pki.stranger.keys })),
    validateSigner: async () => [error(ProblemCode.REVOKED, "the CRL signer is revoked")],
    expected: [ProblemCode.CRL_INVALID],
    check: ([p]) => expect(p?.message).toMatch(/own path fails/),
  },
  "a same-named CRL signer with a valid path": {
    path: leafUnderCa(),
    crls: withRootCrl(() => crl({ issuer: pki.ca, signer: pki.stranger.keys })),
    expected: [],
  },
  "unknown critical CRL extension": {
    path: leafUnderCa(),
    crls: withRootCrl(() =>
      crl({ issuer: pki.ca, extensions: [{ oid: "1.3.6.1.4.1.99999.1", critical: true, value: d.nul() }] }),
    ),
    expected: [ProblemCode.CRL_INVALID],
  },
  "ldap-only distribution point": {
    path: async () => [
      pki.ca,
      await mintLeaf({
        issuer: pki.ca,
        extensions: [cdp(point({ uris: ["ldap://dir.contoso.test/cn=CA?certificateRevocationList"] }))],
      }),
    ],
    fetch: async () => ({}),
    expected: [ProblemCode.CRL_UNREACHABLE],
    check: ([p]) => {
      expect(p?.url).toMatch(/^ldap:/);
      expect(p?.message).toMatch(/Exchange Online/);
    },
  },
  offline: {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca, crlUrls: [URL_A] })],
    expected: [ProblemCode.CRL_UNREACHABLE],
    check: ([p]) => expect(p).toMatchObject({ url: URL_A, reason: expect.stringMatching(/offline/) }),
  },
  "fetch failure": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca, crlUrls: [URL_A] })],
    fetch: async () => ({ [URL_A]: "timed out after 5000 ms" }),
    expected: [ProblemCode.CRL_UNREACHABLE],
    check: ([p]) => expect(p).toMatchObject({ url: URL_A, reason: "timed out after 5000 ms" }),
  },
  "fetched CRL": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca, crlUrls: [URL_A] })],
    fetch: async () => ({ [URL_A]: await crl({ issuer: pki.ca }) }),
    expected: [],
  },
  "first URL fails, the second answers": {
    path: async () => [
      pki.ca,
      await mintLeaf({ issuer: pki.ca, extensions: [cdp(point({ uris: [URL_A, URL_B] }))] }),
    ],
    fetch: async () => ({
      [URL_A]: "refused: 10.0.0.1 is a private address",
      [URL_B]: await crl({ issuer: pki.ca }),
    }),
    expected: [],
  },
  "an ldap point and an http point: the http one settles it": {
    path: async () => [
      pki.ca,
      await mintLeaf({
        issuer: pki.ca,
        extensions: [cdp(point({ uris: ["ldap://dir.contoso.test/cn=CA"] }), point({ uris: [URL_A] }))],
      }),
    ],
    fetch: async () => ({ [URL_A]: await crl({ issuer: pki.ca }) }),
    expected: [],
  },
  "no distribution point and no CRL": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca })],
    fetch: async () => ({}),
    expected: [ProblemCode.CRL_UNREACHABLE],
    check: ([p]) => expect(p?.message).toMatch(/no CRL distribution point/),
  },
  "a fetched CRL of another issuer": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca, crlUrls: [URL_A] })],
    fetch: async () => ({ [URL_A]: await crl({ issuer: pki.root }) }),
    expected: [ProblemCode.CRL_INVALID],
  },
  "indirect CRL: revoked": {
    path: async () => [
      pki.root,
      pki.ca,
      await mintLeaf({
        issuer: pki.ca,
        serial: "6001",
        extensions: [cdp(point({ uris: [URL_B], crlIssuer: pki.crlIssuer.subject }))],
      }),
    ],
    crls: withRootCrl(() =>
      crl({
        issuer: pki.crlIssuer,
        extensions: [ext.issuingDistributionPoint({ urls: [URL_B], indirect: true })],
        entries: [
          { serial: "6009", reason: keyCompromise },
          { serial: "6001", reason: keyCompromise, extensions: [ext.certificateIssuer(pki.ca.subject)] },
        ],
      }),
    ),
    expected: [ProblemCode.REVOKED],
  },
  "indirect CRL: the serial is listed for another issuer only": {
    path: async () => [
      pki.root,
      pki.ca,
      await mintLeaf({
        issuer: pki.ca,
        serial: "6002",
        extensions: [cdp(point({ uris: [URL_B], crlIssuer: pki.crlIssuer.subject }))],
      }),
    ],
    crls: withRootCrl(() =>
      crl({
        issuer: pki.crlIssuer,
        extensions: [ext.issuingDistributionPoint({ urls: [URL_B], indirect: true })],
        entries: [{ serial: "6002", reason: keyCompromise }],
      }),
    ),
    expected: [],
  },
  "indirect CRL without the indirectCRL flag": {
    path: async () => [
      pki.ca,
      await mintLeaf({
        issuer: pki.ca,
        extensions: [cdp(point({ uris: [URL_B], crlIssuer: pki.crlIssuer.subject }))],
      }),
    ],
    crls: async () => [await crl({ issuer: pki.crlIssuer })],
    expected: [ProblemCode.CRL_UNREACHABLE],
  },
  "onlySomeReasons: partial coverage": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca })],
    crls: async () => [
      await crl({
        issuer: pki.ca,
        extensions: [ext.issuingDistributionPoint({ reasons: KEY_COMPROMISE_FLAGS })],
      }),
    ],
    expected: [ProblemCode.CRL_UNREACHABLE],
    check: ([p]) => expect(p?.message).toMatch(/reasons affiliationChanged, superseded/),
  },
  "onlySomeReasons: two CRLs cover every reason": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca })],
    crls: async () => [
      await crl({
        issuer: pki.ca,
        extensions: [ext.issuingDistributionPoint({ reasons: KEY_COMPROMISE_FLAGS })],
      }),
      await crl({
        issuer: pki.ca,
        extensions: [ext.issuingDistributionPoint({ reasons: OTHER_REASON_FLAGS })],
      }),
    ],
    expected: [],
  },
  "onlyContainsCACerts does not cover a leaf": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca })],
    crls: async () => [
      await crl({ issuer: pki.ca, extensions: [ext.issuingDistributionPoint({ onlyCa: true })] }),
    ],
    expected: [ProblemCode.CRL_UNREACHABLE],
    check: ([p]) => expect(p?.message).toMatch(/only CA certificates/),
  },
  "delta CRL releases a hold": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca, serial: "7001" })],
    crls: async () => [
      await crl({ issuer: pki.ca, crlNumber: 10, entries: [{ serial: "7001", reason: certificateHold }] }),
      await crl({
        issuer: pki.ca,
        crlNumber: 11,
        extensions: [ext.deltaCrlIndicator(10)],
        entries: [{ serial: "7001", reason: removeFromCRL }],
      }),
    ],
    expected: [],
  },
  "delta CRL revokes": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca, serial: "7002" })],
    crls: async () => [
      await crl({ issuer: pki.ca, crlNumber: 10 }),
      await crl({
        issuer: pki.ca,
        crlNumber: 11,
        extensions: [ext.deltaCrlIndicator(10)],
        entries: [{ serial: "7002", reason: keyCompromise }],
      }),
    ],
    expected: [ProblemCode.REVOKED],
  },
  "delta CRL on a newer base is ignored": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca, serial: "7003" })],
    crls: async () => [
      await crl({ issuer: pki.ca, crlNumber: 10 }),
      await crl({
        issuer: pki.ca,
        crlNumber: 13,
        extensions: [ext.deltaCrlIndicator(12)],
        entries: [{ serial: "7003", reason: keyCompromise }],
      }),
    ],
    expected: [],
  },
  "a stale complete CRL with a current delta on top": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca, serial: "7004" })],
    crls: async () => [
      await crl({ issuer: pki.ca, crlNumber: 10, nextUpdate: new Date("2026-05-30T00:00:00Z") }),
      await crl({ issuer: pki.ca, crlNumber: 11, extensions: [ext.deltaCrlIndicator(10)] }),
    ],
    expected: [],
  },
  "a stale complete CRL with a stale delta": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca, serial: "7005" })],
    crls: async () => [
      await crl({ issuer: pki.ca, crlNumber: 10, nextUpdate: new Date("2026-05-30T00:00:00Z") }),
      await crl({
        issuer: pki.ca,
        crlNumber: 11,
        nextUpdate: new Date("2026-05-31T00:00:00Z"),
        extensions: [ext.deltaCrlIndicator(10)],
      }),
    ],
    expected: [ProblemCode.CRL_STALE],
  },
  "a delta fetched from the complete CRL's freshestCRL": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca, serial: "7006", crlUrls: [URL_A] })],
    fetch: async () => ({
      [URL_A]: await crl({ issuer: pki.ca, crlNumber: 10, extensions: [freshest(DELTA_URL)] }),
      [DELTA_URL]: await crl({
        issuer: pki.ca,
        crlNumber: 11,
        extensions: [ext.deltaCrlIndicator(10)],
        entries: [{ serial: "7006", reason: keyCompromise }],
      }),
    }),
    expected: [ProblemCode.REVOKED],
  },
  "an unreachable delta does not block a current complete CRL": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca, crlUrls: [URL_A] })],
    fetch: async () => ({
      [URL_A]: await crl({ issuer: pki.ca, crlNumber: 10, extensions: [freshest(DELTA_URL)] }),
    }),
    expected: [],
  },
  "only a delta CRL": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca })],
    crls: async () => [await crl({ issuer: pki.ca, crlNumber: 11, extensions: [ext.deltaCrlIndicator(10)] })],
    expected: [ProblemCode.CRL_INVALID],
  },
  "missing nextUpdate is tolerated with a warning": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca })],
    crls: async () => [await crl({ issuer: pki.ca, nextUpdate: null })],
    expected: [ProblemCode.NONCONFORMANT],
    check: ([p]) => expect(p?.severity).toBe("warning"),
  },
  "missing cRLNumber is tolerated with a warning": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca })],
    crls: async () => [await crl({ issuer: pki.ca, crlNumber: null })],
    expected: [ProblemCode.NONCONFORMANT],
  },
  "a critical cRLNumber makes the CRL unusable": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca })],
    crls: async () => [
      await crl({ issuer: pki.ca, crlNumber: null, extensions: [{ ...ext.crlNumber(1), critical: true }] }),
    ],
    expected: [ProblemCode.CRL_INVALID],
  },
  "a malformed entry list": {
    path: async () => [pki.ca, await mintLeaf({ issuer: pki.ca })],
    crls: async () => {
      const good = await mintCrl({ issuer: pki.ca, entries: [{ serial: "01" }] });
      // Corrupt the entry's INTEGER tag: the header still parses, the index does not.
      const der = Uint8Array.from(good.der);
      const at = Buffer.from(der).indexOf(Buffer.from([0x02, 0x01, 0x01, 0x17]));
      expect(at).toBeGreaterThan(0);
      der[at] = 0x04;
      return [parseCrl(der)];
    },
    expected: [ProblemCode.CRL_INVALID],
  },
};

describe("checkRevocation", () => {
  it.each(Object.entries(cases))("%s", async (_name, c) => {
    const problems = await run(c);
    expect(problems.map((p) => p.code)).toEqual(c.expected);
    c.check?.(problems);
  });

  it("reads a shared CRL once for many leaves", async () => {
    const big = await crl({
      issuer: pki.ca,
      entries: Array.from({ length: 300 }, (_, i) => ({
        serial: (0x9000 + i).toString(16),
        reason: keyCompromise,
      })),
    });
    const leaves = await Promise.all(
      ["9005", "9fff", "912b"].map((serial) => mintLeaf({ issuer: pki.ca, serial })),
    );
    const verdicts = await Promise.all(
      leaves.map((leaf) =>
        checkRevocation([cert(pki.ca), cert(leaf)], {
          time: NOW,
          crls: [big],
          candidateSigners: [],
          validateSigner: async () => [],
        }),
      ),
    );
    expect(verdicts.map((v) => v.map((p) => p.code))).toEqual([["REVOKED"], [], ["REVOKED"]]);
  });
});
