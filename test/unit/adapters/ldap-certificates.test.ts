/** Reading the certificates of one directory entry as ldapts returns it. */
import { beforeAll, describe, expect, it } from "vitest";
import { entryCertificates } from "../../../shared/adapters/ldap-certificates.ts";
import { toP7b } from "../../support/containers.ts";
import { type Minted, mintLeaf, mintRoot } from "../../support/pki.ts";

let ca: Minted;
let alice: Minted;
let alice2: Minted;

beforeAll(async () => {
  ca = await mintRoot();
  alice = await mintLeaf({ issuer: ca, subject: "CN=alice 1" });
  alice2 = await mintLeaf({ issuer: ca, subject: "CN=alice 2" });
});

const DN = "uid=alice,ou=people,dc=contoso,dc=test";
const buf = (m: Minted | Uint8Array) => Buffer.from(m instanceof Uint8Array ? m : m.der);
const shown = (r: ReturnType<typeof entryCertificates>, names: Map<string, string>) => ({
  dn: r.dn,
  certificates: r.certificates.map(
    (c) => `${c.attribute}:${names.get(Buffer.from(c.der).toString("hex")) ?? "?"}`,
  ),
  unreadable: r.unreadable,
});

describe("entryCertificates", () => {
  const cases: ReadonlyArray<{ name: string; entry: () => Record<string, unknown>; expected: () => object }> =
    [
      {
        name: "one DER value under userCertificate;binary",
        entry: () => ({ dn: DN, "userCertificate;binary": buf(alice) }),
        expected: () => ({ dn: DN, certificates: ["userCertificate:alice"], unreadable: [] }),
      },
      {
        name: "several values, and the same certificate under both spellings counted once",
        entry: () => ({
          dn: DN,
          "userCertificate;binary": [buf(alice), buf(alice2)],
          userCertificate: buf(alice),
        }),
        expected: () => ({
          dn: DN,
          certificates: ["userCertificate:alice", "userCertificate:alice2"],
          unreadable: [],
        }),
      },
      {
        name: "a PKCS#7 userSMIMECertificate with its chain",
        entry: () => ({ dn: DN, userSMIMECertificate: buf(toP7b([alice.der, ca.der])) }),
        expected: () => ({
          dn: DN,
          certificates: ["userSMIMECertificate:alice", "userSMIMECertificate:ca"],
          unreadable: [],
        }),
      },
      {
        name: "attribute names in any case",
        entry: () => ({
          dn: DN,
          "usercertificate;binary": buf(alice),
          usersmimecertificate: buf(toP7b([alice2.der])),
        }),
        expected: () => ({
          dn: DN,
          certificates: ["userCertificate:alice", "userSMIMECertificate:alice2"],
          unreadable: [],
        }),
      },
      {
        name: "a bad value is reported and the good ones kept",
        entry: () => ({
          dn: DN,
          "userCertificate;binary": [Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), buf(alice)],
        }),
        expected: () => ({
          dn: DN,
          certificates: ["userCertificate:alice"],
          unreadable: [expect.stringMatching(/^userCertificate;binary\[0\]: /)],
        }),
      },
      {
        name: "a value returned as text cannot be trusted as bytes",
        entry: () => ({ dn: DN, userSMIMECertificate: "not binary" }),
        expected: () => ({
          dn: DN,
          certificates: [],
          unreadable: ["userSMIMECertificate[0]: returned as text, not binary"],
        }),
      },
      {
        name: "other attributes and an empty attribute are ignored",
        entry: () => ({ dn: DN, mail: "alice@contoso.com", userCertificate: [] }),
        expected: () => ({ dn: DN, certificates: [], unreadable: [] }),
      },
    ];
  for (const c of cases)
    it(c.name, () => {
      const names = new Map([
        [buf(alice).toString("hex"), "alice"],
        [buf(alice2).toString("hex"), "alice2"],
        [buf(ca).toString("hex"), "ca"],
      ]);
      expect(shown(entryCertificates(c.entry()), names)).toEqual(c.expected());
    });

  it("an entry without a DN does not parse", () => {
    expect(() => entryCertificates({ userCertificate: buf(alice) })).toThrow();
  });
});
