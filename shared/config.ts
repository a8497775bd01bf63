/**
 * The pipeline's settings: the only reader of `process.env` (DESIGN.md "Settings"). Every setting is parsed
 * once, at start, with zod; a bad one stops the process with a message naming it, instead of failing the first
 * message that happens to need it an hour later. The result is frozen.
 *
 * Names are the environment variables' own (`local.settings.example.json` `Values`, the Function App's app
 * settings). An empty string counts as unset, because the Functions tooling writes `""` for settings left blank.
 * Local mode needs none of them: every one has a default or is optional.
 */
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { parseTrustStoreLocation } from "./contracts/blob-url.ts";

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optional = <S extends z.ZodType>(schema: S) => z.preprocess(blankToUndefined, schema.optional());
const withDefault = <S extends z.ZodType>(schema: S, fallback: z.input<S>) =>
  z.preprocess((v) => blankToUndefined(v) ?? fallback, schema);

const flag = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(["true", "false", "1", "0", "yes", "no"], { error: "expected true or false" }))
  .transform((v) => v === "true" || v === "1" || v === "yes");

const thresholds = z
  .string()
  .trim()
  .regex(/^\d+(\s*,\s*\d+)*$/, "expected positive whole days separated by commas, e.g. 30,14,7,1")
  .transform((v) => v.split(",").map((d) => Number(d.trim())))
  .refine((days) => days.every((d) => d >= 1 && d <= 3650), "each threshold must be 1 to 3650 days")
  // Largest first: scanExpiry announces the widest threshold a certificate has crossed.
  .transform((days) => [...new Set(days)].sort((a, b) => b - a));

const httpUrl = z.url({ protocol: /^https?$/, error: "expected an http(s) URL" });
const ldapUrl = z.url({ protocol: /^ldaps?$/, error: "expected an ldap:// or ldaps:// URL" });
const connectionString = z
  .string()
  .trim()
  .refine((v) => /(^|;)\s*[A-Za-z]+=/.test(v), "expected a connection string (Key=Value;…)");
/** A host name like `contoso.servicebus.windows.net` (the Functions identity-based connection setting). */
const namespaceHost = z
  .string()
  .trim()
  .regex(
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9-]+)+$/i,
    "expected a host name like ns.servicebus.windows.net",
  );
const probability = z.coerce
  .number({ error: "expected a number from 0 to 1" })
  .min(0, "expected a number from 0 to 1")
  .max(1, "expected a number from 0 to 1");

/**
 * Where traces and metrics go. In Azure the platform sets APPLICATIONINSIGHTS_CONNECTION_STRING and they go
 * to Application Insights; without it, TELEMETRY_EXPORTER: `memory` keeps the recent ones in the process
 * (quiet; what tests read), `console` prints them.
 */
const TelemetryEnv = z.object({
  APPLICATIONINSIGHTS_CONNECTION_STRING: optional(connectionString),
  TELEMETRY_EXPORTER: withDefault(z.enum(["memory", "console"]), "memory"),
});

/** The raw settings, keyed by environment variable name so that every error names the variable. */
const Env = z.object({
  /** The virtual certificate collection (.sst, .p7b or PEM): a path or a blob URL. Default in local mode: the demo CA. */
  /** A file path, or a blob URL the identity reads (contracts/blob-url.ts); a URL of any other kind is refused. */
  TRUST_STORE_PATH: optional(
    z
      .string()
      .trim()
      .superRefine((value, ctx) => {
        const parsed = parseTrustStoreLocation(value);
        if (parsed.kind === "invalid") ctx.addIssue({ code: "custom", message: parsed.message });
      }),
  ),
  FETCH_ALLOW_PRIVATE_NETWORK: withDefault(flag, "false"),
  EXPIRY_THRESHOLDS_DAYS: withDefault(thresholds, "30,14,7,1"),
  NOTIFY_CHANNEL: withDefault(z.enum(["companyPortal", "email", "both"]), "companyPortal"),
  MAIL_SENDER: optional(z.email({ error: "expected an e-mail address" })),
  DRY_RUN: withDefault(flag, "false"),
  GRAPH_TENANT_ID: optional(z.string().trim()),
  GRAPH_CLIENT_ID: optional(z.string().trim()),
  GRAPH_BASE_URL: withDefault(httpUrl, "https://graph.microsoft.com"),
  GRAPH_CLIENT_STATE: optional(z.string().trim().min(8, "expected at least 8 characters")),
  /**
   * Where Graph delivers change and lifecycle notifications: the public origin of this app's `/api`
   * (e.g. a front door's). Default `https://` + WEBSITE_HOSTNAME, which the Functions platform sets itself.
   */
  GRAPH_WEBHOOK_BASE_URL: optional(httpUrl),
  WEBSITE_HOSTNAME: optional(z.string().trim()),
  LDAP_URL: optional(ldapUrl),
  /** Where checkDirectory searches for users' entries (subtree), e.g. `ou=people,dc=contoso,dc=com`. */
  LDAP_BASE_DN: optional(z.string().trim().min(3, "expected a DN like dc=contoso,dc=com")),
  /** The service account checkDirectory binds as; anonymous when unset. */
  LDAP_BIND_DN: optional(z.string().trim()),
  /** Its password: a Key Vault reference in Azure. Not trimmed: spaces may be part of it. */
  LDAP_BIND_PASSWORD: optional(z.string()),
  /** PEM of the CAs that issue the ldaps:// server's certificate, or a path to a PEM file; the system's otherwise. */
  LDAP_TLS_CA: optional(z.string().trim()),
  /** Bound on each LDAP bind or search, in milliseconds. */
  LDAP_TIMEOUT_MS: withDefault(
    z.coerce
      .number({ error: "expected milliseconds" })
      .int("expected whole milliseconds")
      .min(100, "expected 100 to 120000 ms")
      .max(120_000, "expected 100 to 120000 ms"),
    "10000",
  ),
  AUTH_TENANT_ID: optional(z.string().trim()),
  AUTH_AUDIENCE: optional(z.string().trim()),
  /** Service Bus by connection string (local tools) … */
  ServiceBusConnection: optional(connectionString),
  /** … or by managed identity (the Functions identity-based connection convention). */
  ServiceBusConnection__fullyQualifiedNamespace: optional(namespaceHost),
  ServiceBusConnection__clientId: optional(z.string().trim()),
  /** Tables by connection string ("UseDevelopmentStorage=true" for Azurite) … */
  AzureWebJobsStorage: optional(connectionString),
  /** … or by managed identity: the table endpoint, or the account name it is derived from. */
  AzureWebJobsStorage__tableServiceUri: optional(httpUrl),
  AzureWebJobsStorage__accountName: optional(
    z
      .string()
      .regex(/^[a-z0-9]{3,24}$/, "expected a storage account name (3-24 lower-case letters and digits)"),
  ),
  AzureWebJobsStorage__clientId: optional(z.string().trim()),
  /** Prefix of every table name, so two deployments can share a storage account. */
  TABLE_PREFIX: withDefault(
    z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,20}$/, "expected letters and digits"),
    "smime",
  ),
  /** Where local mode keeps Azurite's files, the durable bus and the demo CA. */
  LOCAL_DATA_DIR: withDefault(z.string().trim(), ".data"),
  LOG_LEVEL: withDefault(z.enum(["debug", "info", "warn", "error"]), "info"),
  /** Test only: the fraction of queue handler invocations the local host fails on purpose. */
  SMIME_FAULT_RATE: withDefault(probability, "0"),
  ...TelemetryEnv.shape,
  // The desired S/MIME part of Outlook's app configuration policies (DESIGN.md rule 6), audited by
  // auditAppConfig. The defaults are Microsoft's automated-delivery setup: S/MIME on, certificates from
  // Intune on. A setting left unset is not audited (the policy may say what it likes).
  OUTLOOK_SMIME_ENABLED: withDefault(flag, "true"),
  OUTLOOK_SMIME_USER_CHANGE_ALLOWED: optional(flag),
  OUTLOOK_SMIME_ENCRYPT_ALL_MAIL: optional(flag),
  OUTLOOK_SMIME_ENCRYPT_ALL_MAIL_USER_CHANGE_ALLOWED: optional(flag),
  OUTLOOK_SMIME_SIGN_ALL_MAIL: optional(flag),
  OUTLOOK_SMIME_SIGN_ALL_MAIL_USER_CHANGE_ALLOWED: optional(flag),
  OUTLOOK_SMIME_CERTS_FROM_INTUNE: withDefault(flag, "true"),
  /** The LDAP directory Outlook looks recipients' certificates up in, as the policy writes it (contoso.com:636, ldaps://…). */
  OUTLOOK_LDAP_HOST: optional(
    z
      .string()
      .trim()
      .regex(
        /^(ldaps?:\/\/)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?\/?$/i,
        "expected a host, host:port or ldap(s):// URL, e.g. ldaps://directory.contoso.com:636",
      ),
  ),
});

export type NotifyChannelSetting = "companyPortal" | "email" | "both";

/** Where traces and metrics go: Application Insights when its connection string is set, else in process. */
export interface TelemetrySettings {
  readonly exporter: "memory" | "console";
  readonly appInsightsConnectionString?: string;
}
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * The desired state of Outlook's S/MIME app configuration (iOS and Android alike). `undefined` means
 * "not audited".
 */
export interface OutlookPolicySettings {
  readonly smimeEnabled: boolean;
  readonly smimeUserChangeAllowed?: boolean;
  readonly encryptAllMail?: boolean;
  readonly encryptAllMailUserChangeAllowed?: boolean;
  readonly signAllMail?: boolean;
  readonly signAllMailUserChangeAllowed?: boolean;
  readonly certsFromIntune: boolean;
  readonly ldapHost?: string;
}

/** How the pipeline reaches Service Bus. */
export type ServiceBusSettings =
  | { readonly kind: "connectionString"; readonly connectionString: string }
  | { readonly kind: "identity"; readonly fullyQualifiedNamespace: string; readonly clientId?: string };

/** How the pipeline reaches Table storage. */
export type TablesSettings =
  | { readonly kind: "connectionString"; readonly connectionString: string }
  | { readonly kind: "identity"; readonly endpoint: string; readonly clientId?: string };

/** The org's LDAP directory, when LDAP_URL is set (checkDirectory reads published certificates from it). */
export interface LdapSettings {
  readonly url: string;
  readonly baseDn: string;
  readonly bind?: { readonly dn: string; readonly password: string };
  /** PEM text, or a path to a PEM file (read by the composition root). */
  readonly tlsCa?: string;
  readonly timeoutMs: number;
}

/** The parsed, frozen settings. */
export interface Settings {
  readonly trustStorePath?: string;
  readonly fetchAllowPrivateNetwork: boolean;
  /** Largest first, no repeats. */
  readonly expiryThresholdsDays: readonly number[];
  readonly notifyChannel: NotifyChannelSetting;
  readonly mailSender?: string;
  readonly dryRun: boolean;
  readonly graph: {
    readonly tenantId?: string;
    readonly clientId?: string;
    readonly baseUrl: string;
    readonly clientState?: string;
    /** The origin Graph posts notifications to (GRAPH_WEBHOOK_BASE_URL, else https://WEBSITE_HOSTNAME). */
    readonly webhookBaseUrl?: string;
  };
  readonly ldapUrl?: string;
  /** The whole LDAP configuration; absent when LDAP_URL is not set (no directory to check). */
  readonly ldap?: LdapSettings;
  readonly auth: { readonly tenantId?: string; readonly audience?: string };
  readonly serviceBus?: ServiceBusSettings;
  readonly tables?: TablesSettings;
  readonly tablePrefix: string;
  /** Absolute. */
  readonly localDataDir: string;
  readonly logLevel: LogLevel;
  /** 0 outside tests. */
  readonly faultRate: number;
  readonly outlook: OutlookPolicySettings;
  readonly telemetry: TelemetrySettings;
}

/** One bad setting: its name and what is wrong with it. */
export interface SettingIssue {
  readonly setting: string;
  readonly message: string;
}

/** Settings that do not parse; the message names every bad one, one per line. */
export class ConfigError extends Error {
  constructor(readonly issues: readonly SettingIssue[]) {
    super(`invalid settings:\n${issues.map((i) => `  ${i.setting}: ${i.message}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

type Env = z.infer<typeof Env>;

function crossChecks(env: Env): SettingIssue[] {
  const issues: SettingIssue[] = [];
  if (env.NOTIFY_CHANNEL !== "companyPortal" && env.MAIL_SENDER === undefined)
    issues.push({ setting: "MAIL_SENDER", message: `required when NOTIFY_CHANNEL is ${env.NOTIFY_CHANNEL}` });
  if (env.ServiceBusConnection && env.ServiceBusConnection__fullyQualifiedNamespace)
    issues.push({
      setting: "ServiceBusConnection",
      message: "set either the connection string or ServiceBusConnection__fullyQualifiedNamespace, not both",
    });
  return [...issues, ...ldapChecks(env)];
}

function ldapChecks(env: Env): SettingIssue[] {
  const issues: SettingIssue[] = [];
  if (env.LDAP_URL && !env.LDAP_BASE_DN)
    issues.push({ setting: "LDAP_BASE_DN", message: "required when LDAP_URL is set" });
  if (env.LDAP_BIND_DN && env.LDAP_BIND_PASSWORD === undefined)
    issues.push({ setting: "LDAP_BIND_PASSWORD", message: "required when LDAP_BIND_DN is set" });
  if (env.LDAP_BIND_PASSWORD !== undefined && !env.LDAP_BIND_DN)
    issues.push({ setting: "LDAP_BIND_DN", message: "required when LDAP_BIND_PASSWORD is set" });
  if (env.LDAP_TLS_CA && env.LDAP_URL && !env.LDAP_URL.toLowerCase().startsWith("ldaps:"))
    issues.push({ setting: "LDAP_TLS_CA", message: "only used with an ldaps:// LDAP_URL" });
  return issues;
}

function ldapOf(env: Env): LdapSettings | undefined {
  if (!env.LDAP_URL || !env.LDAP_BASE_DN) return undefined;
  return defined({
    url: env.LDAP_URL,
    baseDn: env.LDAP_BASE_DN,
    bind:
      env.LDAP_BIND_DN && env.LDAP_BIND_PASSWORD !== undefined
        ? { dn: env.LDAP_BIND_DN, password: env.LDAP_BIND_PASSWORD }
        : undefined,
    tlsCa: env.LDAP_TLS_CA,
    timeoutMs: env.LDAP_TIMEOUT_MS,
  });
}

function serviceBusOf(env: Env): ServiceBusSettings | undefined {
  if (env.ServiceBusConnection)
    return { kind: "connectionString", connectionString: env.ServiceBusConnection };
  const namespace = env.ServiceBusConnection__fullyQualifiedNamespace;
  if (!namespace) return undefined;
  const clientId = env.ServiceBusConnection__clientId;
  return { kind: "identity", fullyQualifiedNamespace: namespace, ...(clientId ? { clientId } : {}) };
}

function tablesOf(env: Env): TablesSettings | undefined {
  const clientId = env.AzureWebJobsStorage__clientId;
  const identity = (endpoint: string): TablesSettings => ({
    kind: "identity",
    endpoint,
    ...(clientId ? { clientId } : {}),
  });
  if (env.AzureWebJobsStorage__tableServiceUri) return identity(env.AzureWebJobsStorage__tableServiceUri);
  if (env.AzureWebJobsStorage__accountName)
    return identity(`https://${env.AzureWebJobsStorage__accountName}.table.core.windows.net`);
  if (env.AzureWebJobsStorage) return { kind: "connectionString", connectionString: env.AzureWebJobsStorage };
  return undefined;
}

const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function toSettings(env: Env, cwd: string): Settings {
  return defined({
    trustStorePath: env.TRUST_STORE_PATH,
    fetchAllowPrivateNetwork: env.FETCH_ALLOW_PRIVATE_NETWORK,
    expiryThresholdsDays: env.EXPIRY_THRESHOLDS_DAYS,
    notifyChannel: env.NOTIFY_CHANNEL,
    mailSender: env.MAIL_SENDER,
    dryRun: env.DRY_RUN,
    graph: defined({
      tenantId: env.GRAPH_TENANT_ID,
      clientId: env.GRAPH_CLIENT_ID,
      baseUrl: env.GRAPH_BASE_URL,
      clientState: env.GRAPH_CLIENT_STATE,
      webhookBaseUrl:
        env.GRAPH_WEBHOOK_BASE_URL?.replace(/\/+$/, "") ??
        (env.WEBSITE_HOSTNAME ? `https://${env.WEBSITE_HOSTNAME}` : undefined),
    }),
    ldapUrl: env.LDAP_URL,
    ldap: ldapOf(env),
    auth: defined({ tenantId: env.AUTH_TENANT_ID, audience: env.AUTH_AUDIENCE }),
    serviceBus: serviceBusOf(env),
    tables: tablesOf(env),
    tablePrefix: env.TABLE_PREFIX,
    localDataDir: isAbsolute(env.LOCAL_DATA_DIR) ? env.LOCAL_DATA_DIR : resolve(cwd, env.LOCAL_DATA_DIR),
    logLevel: env.LOG_LEVEL,
    faultRate: env.SMIME_FAULT_RATE,
    telemetry: telemetryOf(env),
    outlook: defined({
      smimeEnabled: env.OUTLOOK_SMIME_ENABLED,
      smimeUserChangeAllowed: env.OUTLOOK_SMIME_USER_CHANGE_ALLOWED,
      encryptAllMail: env.OUTLOOK_SMIME_ENCRYPT_ALL_MAIL,
      encryptAllMailUserChangeAllowed: env.OUTLOOK_SMIME_ENCRYPT_ALL_MAIL_USER_CHANGE_ALLOWED,
      signAllMail: env.OUTLOOK_SMIME_SIGN_ALL_MAIL,
      signAllMailUserChangeAllowed: env.OUTLOOK_SMIME_SIGN_ALL_MAIL_USER_CHANGE_ALLOWED,
      certsFromIntune: env.OUTLOOK_SMIME_CERTS_FROM_INTUNE,
      ldapHost: env.OUTLOOK_LDAP_HOST,
    }),
  });
}

function telemetryOf(env: z.infer<typeof TelemetryEnv>): TelemetrySettings {
  return defined({
    exporter: env.TELEMETRY_EXPORTER,
    appInsightsConnectionString: env.APPLICATIONINSIGHTS_CONNECTION_STRING,
  });
}

/**
 * The telemetry settings alone, for the Azure entry point, which starts telemetry as it loads: an unrelated
 * bad setting must not switch telemetry off (it is reported at the first invocation, in the telemetry).
 * @throws ConfigError naming a bad telemetry setting
 */
export function telemetrySettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
): TelemetrySettings {
  const parsed = TelemetryEnv.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ setting: String(i.path[0] ?? "(settings)"), message: i.message })),
    );
  return Object.freeze(telemetryOf(parsed.data));
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Parses settings from an environment (`process.env` by default).
 * @throws ConfigError naming every bad setting
 */
export function parseSettings(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): Settings {
  const parsed = Env.safeParse(env);
  if (!parsed.success)
    throw new ConfigError(
      parsed.error.issues.map((i) => ({ setting: String(i.path[0] ?? "(settings)"), message: i.message })),
    );
  const issues = crossChecks(parsed.data);
  if (issues.length > 0) throw new ConfigError(issues);
  return deepFreeze(toSettings(parsed.data, cwd));
}

let cached: Settings | undefined;

/** The process's settings, parsed from `process.env` on first use. @throws ConfigError */
export function settings(): Settings {
  cached ??= parseSettings();
  return cached;
}

/**
 * Overrides settings for this process (the local host applies `--data DIR` this way, before anything reads
 * them). Values are environment-style strings, parsed like the environment itself.
 */
export function overrideSettings(values: Readonly<Record<string, string>>): Settings {
  cached = parseSettings({ ...process.env, ...values });
  return cached;
}
