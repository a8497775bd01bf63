import { describe, expect, it } from "vitest";
import {
  type AddressCategory,
  classifyAddress,
  isAddressAllowed,
} from "../../../shared/adapters/address-policy.ts";

const cases: ReadonlyArray<{ name: string; address: string; category: AddressCategory }> = [
  // IPv4 public
  { name: "public v4", address: "93.184.216.34", category: "public" },
  { name: "public v4 just below 10/8", address: "9.255.255.255", category: "public" },
  { name: "public v4 just above 10/8", address: "11.0.0.0", category: "public" },
  { name: "public v4 between 172.15 and 172.16/12", address: "172.15.255.255", category: "public" },
  { name: "public v4 after 172.16/12", address: "172.32.0.0", category: "public" },
  { name: "public v4 before 100.64/10", address: "100.63.255.255", category: "public" },
  { name: "public v4 after 100.64/10", address: "100.128.0.0", category: "public" },
  { name: "public v4 after 198.18/15", address: "198.20.0.0", category: "public" },
  { name: "public v4 Azure public IP", address: "168.63.129.17", category: "public" },
  // IPv4 special
  { name: "unspecified", address: "0.0.0.0", category: "unspecified" },
  { name: "this network 0/8", address: "0.1.2.3", category: "this-network" },
  { name: "loopback 127.0.0.1", address: "127.0.0.1", category: "loopback" },
  { name: "loopback 127.255.255.254", address: "127.255.255.254", category: "loopback" },
  { name: "private 10/8", address: "10.20.30.40", category: "private" },
  { name: "private 172.16/12 low", address: "172.16.0.1", category: "private" },
  { name: "private 172.16/12 high", address: "172.31.255.255", category: "private" },
  { name: "private 192.168/16", address: "192.168.1.1", category: "private" },
  { name: "link-local", address: "169.254.1.1", category: "link-local" },
  { name: "shared CGNAT", address: "100.64.0.1", category: "shared" },
  { name: "shared CGNAT high", address: "100.127.255.255", category: "shared" },
  { name: "metadata AWS/Azure/GCP IMDS", address: "169.254.169.254", category: "metadata" },
  { name: "metadata AWS ECS", address: "169.254.170.2", category: "metadata" },
  { name: "metadata Azure wire server", address: "168.63.129.16", category: "metadata" },
  { name: "metadata Alibaba", address: "100.100.100.200", category: "metadata" },
  { name: "benchmark 198.18/15", address: "198.19.255.255", category: "benchmark" },
  { name: "documentation TEST-NET-1", address: "192.0.2.10", category: "documentation" },
  { name: "documentation TEST-NET-2", address: "198.51.100.7", category: "documentation" },
  { name: "documentation TEST-NET-3", address: "203.0.113.99", category: "documentation" },
  { name: "IETF protocol assignments", address: "192.0.0.8", category: "reserved" },
  { name: "multicast low", address: "224.0.0.1", category: "multicast" },
  { name: "multicast high", address: "239.255.255.255", category: "multicast" },
  { name: "reserved 240/4", address: "240.0.0.1", category: "reserved" },
  { name: "broadcast", address: "255.255.255.255", category: "broadcast" },
  // IPv6
  { name: "public v6", address: "2606:4700:4700::1111", category: "public" },
  { name: "public v6 full form", address: "2a00:1450:4001:0812:0000:0000:0000:200e", category: "public" },
  { name: "unspecified ::", address: "::", category: "unspecified" },
  { name: "loopback ::1", address: "::1", category: "loopback" },
  { name: "loopback long form", address: "0:0:0:0:0:0:0:1", category: "loopback" },
  { name: "bracketed loopback", address: "[::1]", category: "loopback" },
  { name: "unique local fc00::/7 (fd)", address: "fd12:3456:789a::1", category: "unique-local" },
  { name: "unique local fc00::/7 (fc)", address: "fc00::1", category: "unique-local" },
  { name: "link-local fe80::/10", address: "fe80::1", category: "link-local" },
  { name: "link-local with zone", address: "fe80::1%eth0", category: "link-local" },
  { name: "link-local upper end", address: "febf::1", category: "link-local" },
  { name: "site-local", address: "fec0::1", category: "site-local" },
  { name: "metadata AWS IPv6", address: "fd00:ec2::254", category: "metadata" },
  { name: "metadata GCP IPv6", address: "fd20:ce::254", category: "metadata" },
  { name: "multicast v6", address: "ff02::1", category: "multicast" },
  { name: "documentation 2001:db8::/32", address: "2001:db8::1", category: "documentation" },
  { name: "documentation 3fff::/20", address: "3fff:0fff::1", category: "documentation" },
  { name: "benchmark v6", address: "2001:2::1", category: "benchmark" },
  { name: "Teredo", address: "2001:0:4136:e378::1", category: "reserved" },
  { name: "discard-only", address: "100::1", category: "reserved" },
  { name: "outside 2000::/3", address: "4000::1", category: "reserved" },
  // IPv4 inside IPv6
  { name: "mapped loopback", address: "::ffff:127.0.0.1", category: "loopback" },
  { name: "mapped loopback hex", address: "::ffff:7f00:1", category: "loopback" },
  { name: "mapped metadata", address: "::ffff:169.254.169.254", category: "metadata" },
  { name: "mapped private", address: "::ffff:10.0.0.1", category: "private" },
  { name: "mapped public", address: "::ffff:93.184.216.34", category: "public" },
  { name: "compatible private", address: "::10.0.0.1", category: "private" },
  { name: "compatible public is deprecated", address: "::93.184.216.34", category: "reserved" },
  { name: "NAT64 embedding metadata", address: "64:ff9b::a9fe:a9fe", category: "metadata" },
  { name: "NAT64 embedding public", address: "64:ff9b::8.8.8.8", category: "public" },
  { name: "NAT64 local use", address: "64:ff9b:1::1", category: "private" },
  { name: "6to4 embedding private", address: "2002:c0a8:0101::1", category: "private" },
  { name: "6to4 embedding public", address: "2002:0808:0808::1", category: "public" },
  // Not addresses
  { name: "host name", address: "crl.example.com", category: "invalid" },
  { name: "octal-looking v4", address: "010.0.0.1", category: "invalid" },
  { name: "octet over 255", address: "256.1.1.1", category: "invalid" },
  { name: "three parts", address: "127.0.1", category: "invalid" },
  { name: "two ::", address: "1::2::3", category: "invalid" },
  { name: "too many groups", address: "1:2:3:4:5:6:7:8:9", category: "invalid" },
  { name: "group too long", address: "12345::1", category: "invalid" },
  { name: "empty", address: "", category: "invalid" },
];

describe("classifyAddress", () => {
  it.each(cases)("$name: $address is $category", ({ address, category }) => {
    expect(classifyAddress(address).category).toBe(category);
  });

  it("describes an embedded address by what it embeds", () => {
    expect(classifyAddress("::ffff:169.254.169.254").description).toBe(
      "an IPv4-mapped address of 169.254.169.254, the cloud instance metadata endpoint",
    );
  });
});

describe("isAddressAllowed", () => {
  const table: ReadonlyArray<{ name: string; address: string; strict: boolean; allowingPrivate: boolean }> = [
    { name: "public", address: "93.184.216.34", strict: true, allowingPrivate: true },
    { name: "loopback", address: "127.0.0.1", strict: false, allowingPrivate: true },
    { name: "private", address: "192.168.0.10", strict: false, allowingPrivate: true },
    { name: "link-local", address: "fe80::1", strict: false, allowingPrivate: true },
    { name: "unique local", address: "fd00::1", strict: false, allowingPrivate: true },
    { name: "metadata stays refused", address: "169.254.169.254", strict: false, allowingPrivate: false },
    { name: "wire server stays refused", address: "168.63.129.16", strict: false, allowingPrivate: false },
    {
      name: "mapped metadata stays refused",
      address: "::ffff:a9fe:a9fe",
      strict: false,
      allowingPrivate: false,
    },
    { name: "unspecified stays refused", address: "0.0.0.0", strict: false, allowingPrivate: false },
    { name: "multicast stays refused", address: "224.0.0.251", strict: false, allowingPrivate: false },
    { name: "broadcast stays refused", address: "255.255.255.255", strict: false, allowingPrivate: false },
    { name: "garbage stays refused", address: "not-an-ip", strict: false, allowingPrivate: false },
  ];
  it.each(table)("$name", ({ address, strict, allowingPrivate }) => {
    const classification = classifyAddress(address);
    expect(isAddressAllowed(classification, false)).toBe(strict);
    expect(isAddressAllowed(classification, true)).toBe(allowingPrivate);
  });
});
