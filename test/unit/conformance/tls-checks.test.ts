import { describe, expect, it } from "vitest";
import {
  checkExtendedKeyUsage,
  checkKeyUsage,
  checkPeerName,
  dnsNameMatches,
  type PeerName,
  parseIpAddress,
} from "../../conformance/tls-checks.ts";
import { limboLeaf } from "./limbo-leaf.ts";

describe("dnsNameMatches", () => {
  it.each([
    { name: "exact", pattern: "example.com", reference: "example.com", match: true },
    { name: "case-insensitive", pattern: "Example.COM", reference: "example.com", match: true },
    { name: "trailing dot on the reference", pattern: "example.com", reference: "example.com.", match: true },
    { name: "different domain", pattern: "example.com", reference: "example2.com", match: false },
    {
      name: "apex does not match a subdomain",
      pattern: "example.com",
      reference: "abc.example.com",
      match: false,
    },
    {
      name: "wildcard covers one label",
      pattern: "*.example.com",
      reference: "foo.example.com",
      match: true,
    },
    {
      name: "wildcard does not cover two labels",
      pattern: "*.example.com",
      reference: "a.b.example.com",
      match: false,
    },
    {
      name: "wildcard does not cover the apex",
      pattern: "*.example.com",
      reference: "example.com",
      match: false,
    },
    {
      name: "embedded wildcard is literal",
      pattern: "ba*.example.com",
      reference: "baz.example.com",
      match: false,
    },
    {
      name: "wildcard not left-most",
      pattern: "foo.*.example.com",
      reference: "foo.bar.example.com",
      match: false,
    },
    { name: "wildcard over a single label (TLD)", pattern: "*.com", reference: "example.com", match: false },
    { name: "bare wildcard", pattern: "*", reference: "com", match: false },
    { name: "empty names never match", pattern: "", reference: "", match: false },
  ])("$name", ({ pattern, reference, match }) => expect(dnsNameMatches(pattern, reference)).toBe(match));
});

describe("parseIpAddress", () => {
  it.each([
    { name: "IPv4", text: "192.0.2.1", bytes: [192, 0, 2, 1] },
    { name: "IPv4 leading zero refused", text: "192.168.001.001", bytes: undefined },
    { name: "IPv4 out of range", text: "256.0.0.1", bytes: undefined },
    { name: "IPv4 hex refused", text: "0xC0A80101", bytes: undefined },
    { name: "IPv6 loopback", text: "::1", bytes: [...Array(15).fill(0), 1] },
    {
      name: "IPv6 compressed in the middle",
      text: "2001:db8::1",
      bytes: [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1],
    },
    { name: "IPv6 two '::' refused", text: "1::2::3", bytes: undefined },
    { name: "IPv6 too many groups", text: "1:2:3:4:5:6:7:8:9", bytes: undefined },
  ])("$name", ({ text, bytes }) => {
    const got = parseIpAddress(text);
    expect(got === undefined ? undefined : [...got]).toEqual(bytes);
  });
});

describe("checkPeerName against limbo leaves", () => {
  const cases: Array<{ name: string; leaf: string; peer: PeerName; ok: boolean }> = [
    {
      name: "DNS SAN equal",
      leaf: "webpki::san::exact-dns-san",
      peer: { kind: "DNS", value: "example.com" },
      ok: true,
    },
    {
      name: "DNS SAN differs",
      leaf: "webpki::san::exact-dns-san",
      peer: { kind: "DNS", value: "other.com" },
      ok: false,
    },
    {
      name: "wildcard SAN",
      leaf: "webpki::san::leftmost-wildcard-san",
      peer: { kind: "DNS", value: "foo.example.com" },
      ok: true,
    },
    {
      name: "IP SAN equal",
      leaf: "webpki::san::exact-localhost-ip-san",
      peer: { kind: "IP", value: "127.0.0.1" },
      ok: true,
    },
    {
      name: "IPv6 SAN equal in compressed text",
      leaf: "rfc5280::nc::permitted-ipv6-match",
      peer: { kind: "IP", value: "::1" },
      ok: true,
    },
    {
      name: "a DNS SAN does not answer an IP peer",
      leaf: "webpki::san::exact-dns-san",
      peer: { kind: "IP", value: "127.0.0.1" },
      ok: false,
    },
    {
      name: "e-mail SAN, case-insensitive",
      leaf: "rfc5280::nc::nc-permits-email-exact",
      peer: { kind: "RFC822", value: "Foo@Example.com" },
      ok: true,
    },
    {
      name: "e-mail SAN differs",
      leaf: "rfc5280::nc::nc-permits-email-exact",
      peer: { kind: "RFC822", value: "bar@example.com" },
      ok: false,
    },
  ];
  it.each(cases)("$name", ({ leaf, peer, ok }) => {
    const problems = checkPeerName(limboLeaf(leaf), peer);
    expect(problems.length === 0).toBe(ok);
    for (const p of problems) expect(p).toMatchObject({ severity: "error", source: "harness" });
  });
});

describe("checkExtendedKeyUsage and checkKeyUsage against limbo leaves", () => {
  it.each([
    { name: "serverAuth present", leaf: "webpki::san::exact-dns-san", required: ["serverAuth"], ok: true },
    {
      name: "clientAuth only, serverAuth wanted",
      leaf: "rfc5280::eku::ee-wrong-eku",
      required: ["serverAuth"],
      ok: false,
    },
    {
      name: "no EKU extension: any use",
      leaf: "rfc5280::eku::ee-without-eku",
      required: ["serverAuth"],
      ok: true,
    },
    { name: "nothing required", leaf: "rfc5280::eku::ee-wrong-eku", required: [], ok: true },
  ])("EKU: $name", ({ leaf, required, ok }) => {
    expect(checkExtendedKeyUsage(limboLeaf(leaf), required).length === 0).toBe(ok);
  });

  it.each([
    { name: "digitalSignature present", required: ["digitalSignature"], ok: true },
    { name: "keyCertSign absent", required: ["keyCertSign"], ok: false },
    { name: "nothing required", required: [], ok: true },
  ])("key usage: $name", ({ required, ok }) => {
    expect(checkKeyUsage(limboLeaf("webpki::san::exact-dns-san"), required).length === 0).toBe(ok);
  });
});
