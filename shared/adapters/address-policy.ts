/**
 * Which IP addresses a CRL or AIA fetch may connect to.
 *
 * Exchange Online fetches CRLs from the internet, so an address that is not globally reachable can never
 * work for it; worse, a certificate (attacker-supplied, e.g. through `POST certificates/validate`) that
 * names such an address turns the fetcher into a probe of the private network or the cloud metadata
 * service (SSRF). Pure: no DNS here — the fetcher classifies the addresses it has resolved.
 */

/** What kind of address it is; `public` is the only one fetched by default. */
export type AddressCategory =
  | "public"
  | "unspecified"
  | "this-network"
  | "loopback"
  | "private"
  | "unique-local"
  | "site-local"
  | "link-local"
  | "shared"
  | "metadata"
  | "benchmark"
  | "documentation"
  | "multicast"
  | "broadcast"
  | "reserved"
  | "invalid";

/**
 * `public`: always fetchable. `private-network`: only with `--allow-private-network` (labs, internal CAs).
 * `never`: refused even then — cloud metadata endpoints (credentials live there) and addresses that
 * cannot be an HTTP server at all (multicast, broadcast, unspecified, reserved).
 */
export type AddressScope = "public" | "private-network" | "never";

export interface AddressClassification {
  /** The address as given. */
  readonly address: string;
  readonly category: AddressCategory;
  readonly scope: AddressScope;
  /** Words for a problem message, e.g. "a private address (10.0.0.0/8)". */
  readonly description: string;
}

interface Rule {
  readonly cidr: string;
  readonly category: AddressCategory;
  readonly description: string;
}

/** An IPv6 range whose addresses carry an IPv4 address, which decides instead. */
interface EmbeddingRule {
  readonly cidr: string;
  readonly embedding: string;
  /** Bit offset of the embedded IPv4 address inside the IPv6 address. */
  readonly offset: number;
}

const SCOPE: Readonly<Record<AddressCategory, AddressScope>> = {
  public: "public",
  loopback: "private-network",
  private: "private-network",
  "unique-local": "private-network",
  "site-local": "private-network",
  "link-local": "private-network",
  shared: "private-network",
  // Fake-IP DNS resolvers (and some labs) answer from 198.18/15; documentation ranges appear in test setups.
  benchmark: "private-network",
  documentation: "private-network",
  metadata: "never",
  unspecified: "never",
  "this-network": "never",
  multicast: "never",
  broadcast: "never",
  reserved: "never",
  invalid: "never",
};

// Most specific first: the first rule that contains the address decides. From the IANA special-purpose
// address registries (RFC 6890 and updates) plus the cloud metadata endpoints.
const IPV4_RULES: readonly Rule[] = [
  { cidr: "169.254.169.254/32", category: "metadata", description: "the cloud instance metadata endpoint" },
  { cidr: "169.254.170.2/32", category: "metadata", description: "the AWS ECS task metadata endpoint" },
  { cidr: "169.254.170.23/32", category: "metadata", description: "the AWS EKS pod identity endpoint" },
  {
    cidr: "168.63.129.16/32",
    category: "metadata",
    description: "the Azure wire server (platform metadata)",
  },
  { cidr: "100.100.100.200/32", category: "metadata", description: "the Alibaba Cloud metadata endpoint" },
  { cidr: "0.0.0.0/32", category: "unspecified", description: "the unspecified address" },
  { cidr: "0.0.0.0/8", category: "this-network", description: 'a "this network" address (0.0.0.0/8)' },
  { cidr: "10.0.0.0/8", category: "private", description: "a private address (10.0.0.0/8)" },
  {
    cidr: "100.64.0.0/10",
    category: "shared",
    description: "a shared carrier-grade NAT address (100.64.0.0/10)",
  },
  { cidr: "127.0.0.0/8", category: "loopback", description: "a loopback address (127.0.0.0/8)" },
  { cidr: "169.254.0.0/16", category: "link-local", description: "a link-local address (169.254.0.0/16)" },
  { cidr: "172.16.0.0/12", category: "private", description: "a private address (172.16.0.0/12)" },
  {
    cidr: "192.0.0.0/24",
    category: "reserved",
    description: "an IETF protocol assignment address (192.0.0.0/24)",
  },
  { cidr: "192.0.2.0/24", category: "documentation", description: "a documentation address (192.0.2.0/24)" },
  {
    cidr: "192.88.99.0/24",
    category: "reserved",
    description: "a retired 6to4 relay address (192.88.99.0/24)",
  },
  { cidr: "192.168.0.0/16", category: "private", description: "a private address (192.168.0.0/16)" },
  { cidr: "198.18.0.0/15", category: "benchmark", description: "a benchmarking address (198.18.0.0/15)" },
  {
    cidr: "198.51.100.0/24",
    category: "documentation",
    description: "a documentation address (198.51.100.0/24)",
  },
  {
    cidr: "203.0.113.0/24",
    category: "documentation",
    description: "a documentation address (203.0.113.0/24)",
  },
  { cidr: "224.0.0.0/4", category: "multicast", description: "a multicast address (224.0.0.0/4)" },
  { cidr: "255.255.255.255/32", category: "broadcast", description: "the broadcast address" },
  { cidr: "240.0.0.0/4", category: "reserved", description: "a reserved address (240.0.0.0/4)" },
];

const IPV6_RULES: readonly Rule[] = [
  { cidr: "::/128", category: "unspecified", description: "the unspecified address (::)" },
  { cidr: "::1/128", category: "loopback", description: "the loopback address (::1)" },
  {
    cidr: "fd00:ec2::254/128",
    category: "metadata",
    description: "the AWS instance metadata endpoint (IPv6)",
  },
  {
    cidr: "fd20:ce::254/128",
    category: "metadata",
    description: "the Google Cloud metadata endpoint (IPv6)",
  },
  {
    cidr: "64:ff9b:1::/48",
    category: "private",
    description: "a local-use NAT64 address (64:ff9b:1::/48)",
  },
  { cidr: "100::/64", category: "reserved", description: "a discard-only address (100::/64)" },
  { cidr: "2001:2::/48", category: "benchmark", description: "a benchmarking address (2001:2::/48)" },
  {
    cidr: "2001:db8::/32",
    category: "documentation",
    description: "a documentation address (2001:db8::/32)",
  },
  {
    cidr: "2001::/23",
    category: "reserved",
    description: "an IETF protocol assignment address (2001::/23, Teredo included)",
  },
  { cidr: "3fff::/20", category: "documentation", description: "a documentation address (3fff::/20)" },
  { cidr: "fc00::/7", category: "unique-local", description: "a unique local address (fc00::/7)" },
  { cidr: "fe80::/10", category: "link-local", description: "a link-local address (fe80::/10)" },
  { cidr: "fec0::/10", category: "site-local", description: "a deprecated site-local address (fec0::/10)" },
  { cidr: "ff00::/8", category: "multicast", description: "a multicast address (ff00::/8)" },
];

const IPV6_EMBEDDINGS: readonly EmbeddingRule[] = [
  { cidr: "::ffff:0:0/96", embedding: "an IPv4-mapped address", offset: 96 },
  { cidr: "64:ff9b::/96", embedding: "a NAT64 address", offset: 96 },
  { cidr: "2002::/16", embedding: "a 6to4 address", offset: 16 },
  // Deprecated IPv4-compatible (::a.b.c.d); :: and ::1 are matched by the rules above first.
  { cidr: "::/96", embedding: "an IPv4-compatible address", offset: 96 },
];

/** Classifies an IPv4 or IPv6 address (a zone such as `%eth0` is ignored; brackets are allowed). */
export function classifyAddress(address: string): AddressClassification {
  const bare = address.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
  const v4 = parseIpv4(bare);
  if (v4 !== undefined) return classifyIpv4(address, v4);
  const v6 = parseIpv6(bare);
  if (v6 !== undefined) return classifyIpv6(address, v6);
  return make(address, "invalid", "not an IP address");
}

/** Whether a fetch may connect to the address. Metadata and unroutable addresses are refused always. */
export function isAddressAllowed(
  classification: AddressClassification,
  allowPrivateNetwork: boolean,
): boolean {
  return (
    classification.scope === "public" || (allowPrivateNetwork && classification.scope === "private-network")
  );
}

function classifyIpv4(address: string, value: bigint): AddressClassification {
  const rule = IPV4_TABLE.find((r) => contains(r, value));
  return rule ? make(address, rule.category, rule.description) : make(address, "public", "a public address");
}

function classifyIpv6(address: string, value: bigint): AddressClassification {
  const rule = IPV6_TABLE.find((r) => contains(r, value));
  if (rule) return make(address, rule.category, rule.description);
  const embedding = EMBEDDING_TABLE.find((r) => contains(r, value));
  if (embedding) return classifyEmbedded(address, value, embedding);
  // Global unicast: everything in 2000::/3 that IANA has not carved out above.
  if (value >> 125n === 1n) return make(address, "public", "a public address");
  return make(address, "reserved", "a reserved IPv6 address (outside global unicast 2000::/3)");
}

function classifyEmbedded(address: string, value: bigint, rule: CompiledEmbedding): AddressClassification {
  const v4 = (value >> BigInt(128 - rule.offset - 32)) & 0xffffffffn;
  const inner = classifyIpv4(formatIpv4(v4), v4);
  // ::a.b.c.d was deprecated by RFC 4291 and is not routed: never a real server, whatever it embeds.
  if (inner.category === "public" && rule.embedding === "an IPv4-compatible address") {
    return make(address, "reserved", `${rule.embedding} (deprecated)`);
  }
  return make(address, inner.category, `${rule.embedding} of ${inner.address}, ${inner.description}`);
}

function make(address: string, category: AddressCategory, description: string): AddressClassification {
  return { address, category, scope: SCOPE[category], description };
}

interface Compiled {
  readonly base: bigint;
  readonly mask: bigint;
}
type CompiledRule = Rule & Compiled;
type CompiledEmbedding = EmbeddingRule & Compiled;

function compile<R extends { cidr: string }>(rule: R, bits: 32 | 128): R & Compiled {
  const [prefix, lengthText] = rule.cidr.split("/");
  const base = bits === 32 ? parseIpv4(prefix ?? "") : parseIpv6(prefix ?? "");
  const length = Number(lengthText);
  if (base === undefined || !Number.isInteger(length)) throw new Error(`bad address rule ${rule.cidr}`);
  const all = (1n << BigInt(bits)) - 1n;
  const mask = all ^ ((1n << BigInt(bits - length)) - 1n);
  return { ...rule, base: base & mask, mask };
}

function contains(rule: Compiled, value: bigint): boolean {
  return (value & rule.mask) === rule.base;
}

const IPV4_TABLE: readonly CompiledRule[] = IPV4_RULES.map((r) => compile(r, 32));
const IPV6_TABLE: readonly CompiledRule[] = IPV6_RULES.map((r) => compile(r, 128));
const EMBEDDING_TABLE: readonly CompiledEmbedding[] = IPV6_EMBEDDINGS.map((r) => compile(r, 128));

/** Strict dotted quad (what resolvers and the WHATWG URL parser produce); anything else is not IPv4. */
function parseIpv4(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join(".");
}

/** RFC 4291 text form, with `::` compression and a trailing dotted quad allowed. */
function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const head = groups(halves[0] ?? "");
  const tail = halves.length === 2 ? groups(halves[1] ?? "") : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return all.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}

/** Colon-separated 16-bit groups; a dotted quad is allowed as the last one (it counts as two). */
function groups(text: string): number[] | undefined {
  if (text === "") return [];
  const parts = text.split(":");
  const out: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (part.includes(".")) {
      const v4 = index === parts.length - 1 ? parseIpv4(part) : undefined;
      if (v4 === undefined) return undefined;
      out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
      out.push(Number.parseInt(part, 16));
    }
  }
  return out;
}
