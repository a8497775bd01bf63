/**
 * The infrastructure check: every template under infra/ parses (tree-sitter-bicep), declares only allowed
 * resource types at their allowed API versions, and agrees with the app — the Service Bus queues with
 * shared/contracts/queues.ts, the app settings' names with shared/config.ts. azure.yaml, the parameters file
 * and the workbook parse, and refer to what exists.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Tree } from "web-tree-sitter";
import { parse as parseYaml } from "yaml";
import { Queues } from "../../../shared/contracts/queues.ts";
import {
  literalValue,
  objectKeysDeep,
  parseBicep,
  propertyValue,
  resourceDeclarations,
  stringValue,
  syntaxProblems,
  variableValue,
} from "../../support/bicep.ts";
import { ALLOWED_RESOURCE_TYPES } from "./resource-types.ts";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const INFRA = join(ROOT, "infra");

function bicepFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? bicepFiles(join(dir, e.name)) : e.name.endsWith(".bicep") ? [join(dir, e.name)] : [],
  );
}

const files = bicepFiles(INFRA).map((path) => ({ path, name: relative(INFRA, path) }));
const trees = new Map<string, Tree>();
async function tree(name: string): Promise<Tree> {
  let t = trees.get(name);
  if (!t) {
    t = await parseBicep(readFileSync(join(INFRA, name), "utf8"));
    trees.set(name, t);
  }
  return t;
}

/** Problems with one file's resource declarations against the allow-list. */
async function resourceProblems(source: string): Promise<string[]> {
  return resourceDeclarations(await parseBicep(source)).flatMap((r) => {
    const allowed = ALLOWED_RESOURCE_TYPES[r.type];
    if (!allowed) return [`${r.symbol}: ${r.type} is not in the allow-list`];
    return allowed.apiVersion === r.apiVersion
      ? []
      : [`${r.symbol}: ${r.type}@${r.apiVersion}, allowed @${allowed.apiVersion}`];
  });
}

/** ms → the ISO 8601 duration Service Bus expects (whole minutes as PTnM, else seconds). */
function isoDuration(ms: number): string {
  return ms % 60_000 === 0 ? `PT${ms / 60_000}M` : `PT${ms / 1000}S`;
}

/** The names of shared/config.ts's settings: the keys of its `Env` zod object, read from the source. */
function configSettingNames(): Set<string> {
  const source = readFileSync(join(ROOT, "shared/config.ts"), "utf8");
  const start = source.indexOf("const Env = z.object({");
  const end = source.indexOf("\n});", start);
  if (start < 0 || end < 0) throw new Error("shared/config.ts: `const Env = z.object({ … });` not found");
  return new Set(
    [...source.slice(start, end).matchAll(/^ {2}([A-Za-z_][A-Za-z0-9_]*):/gm)].map((m) => m[1] as string),
  );
}

/** Settings the Functions platform reads itself (not the app's config). */
const PLATFORM_SETTINGS = new Set([
  "APPLICATIONINSIGHTS_CONNECTION_STRING",
  "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
  "AzureWebJobsStorage__credential",
  "ServiceBusConnection__credential",
]);

/** What the app needs in Azure (runtime.ts and the Graph gateway read them), with identity-based connections. */
const REQUIRED_SETTINGS = [
  "TRUST_STORE_PATH",
  "NOTIFY_CHANNEL",
  "MAIL_SENDER",
  "GRAPH_TENANT_ID",
  "GRAPH_CLIENT_ID",
  "GRAPH_CLIENT_STATE",
  "AUTH_TENANT_ID",
  "AUTH_AUDIENCE",
  "ServiceBusConnection__fullyQualifiedNamespace",
  "ServiceBusConnection__clientId",
  "AzureWebJobsStorage__accountName",
  "AzureWebJobsStorage__tableServiceUri",
  "AzureWebJobsStorage__clientId",
];

async function appSettingKeys(): Promise<string[]> {
  const t = await tree("modules/functionapp.bicep");
  const config = resourceDeclarations(t).find((r) => r.type === "Microsoft.Web/sites/config");
  return objectKeysDeep(propertyValue(config?.body, "properties"), t);
}

describe("the templates parse", () => {
  it("finds the templates", () => {
    expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(["main.bicep", "modules/rbac.bicep"]));
  });

  it.each(files.map((f) => f.name))("%s has no ERROR or MISSING node", async (name) => {
    expect(syntaxProblems(await tree(name))).toEqual([]);
  });

  const broken: ReadonlyArray<{ name: string; source: string }> = [
    { name: "an unclosed object", source: "resource a 'Microsoft.Web/sites@2024-04-01' = {\n  name: 'x'\n" },
    { name: "a stray token", source: "param p string = 'a' 'b' ]\n" },
  ];
  it.each(broken)("sees $name as a syntax problem", async ({ source }) => {
    expect(syntaxProblems(await parseBicep(source)).length).toBeGreaterThan(0);
  });
});

describe("resource types and API versions", () => {
  it.each(files.map((f) => f.name))("%s declares only allowed types at allowed versions", async (name) => {
    expect(await resourceProblems(readFileSync(join(INFRA, name), "utf8"))).toEqual([]);
  });

  const wrong: ReadonlyArray<{ name: string; source: string; problem: string }> = [
    {
      name: "a type not on the list",
      source: "resource c 'Microsoft.Cache/redis@2024-03-01' = {\n  name: 'c'\n}\n",
      problem: "c: Microsoft.Cache/redis is not in the allow-list",
    },
    {
      name: "a preview version of an allowed type",
      source: "resource q 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {\n  name: 'q'\n}\n",
      problem: "q: Microsoft.ServiceBus/namespaces@2022-10-01-preview, allowed @2026-01-01",
    },
  ];
  it.each(wrong)("refuses $name", async ({ source, problem }) => {
    expect(await resourceProblems(source)).toEqual([problem]);
  });

  it("uses every allowed type somewhere (no stale entries)", async () => {
    const used = new Set<string>();
    for (const f of files) for (const r of resourceDeclarations(await tree(f.name))) used.add(r.type);
    expect(Object.keys(ALLOWED_RESOURCE_TYPES).filter((t) => !used.has(t))).toEqual([]);
  });

  it("declares role assignments only in modules/rbac.bicep, each named by guid()", async () => {
    const places: string[] = [];
    for (const f of files)
      for (const r of resourceDeclarations(await tree(f.name)))
        if (r.type === "Microsoft.Authorization/roleAssignments")
          places.push(
            `${f.name}:${propertyValue(r.body, "name")?.text.startsWith("guid(") ? "guid" : "other"}`,
          );
    expect(new Set(places)).toEqual(new Set(["modules/rbac.bicep:guid"]));
    expect(places.length).toBeGreaterThanOrEqual(7);
  });
});

describe("Service Bus queues match shared/contracts/queues.ts", () => {
  const expected = Object.values(Queues).map((q) => ({
    name: q.name,
    requiresSession: q.sessions,
    requiresDuplicateDetection: "duplicateDetectionWindowMs" in q,
    ...("duplicateDetectionWindowMs" in q && {
      duplicateDetectionHistoryTimeWindow: isoDuration(q.duplicateDetectionWindowMs),
    }),
    maxDeliveryCount: q.maxDeliveryCount,
    lockDuration: isoDuration(q.lockDurationMs),
  }));

  it("has the three queues with their settings", async () => {
    const queues = variableValue(await tree("modules/servicebus.bicep"), "queues");
    expect(queues && literalValue(queues)).toEqual(expected);
  });

  it("creates one queue per entry, dead-lettering expired messages, on a Standard namespace", async () => {
    const t = await tree("modules/servicebus.bicep");
    const queue = resourceDeclarations(t).find((r) => r.type === "Microsoft.ServiceBus/namespaces/queues");
    const properties = propertyValue(queue?.body, "properties")?.text ?? "";
    for (const key of ["requiresSession", "requiresDuplicateDetection", "maxDeliveryCount", "lockDuration"])
      expect(properties).toContain(`${key}: q.${key}`);
    expect(properties).toContain(
      "duplicateDetectionHistoryTimeWindow: q.?duplicateDetectionHistoryTimeWindow",
    );
    expect(properties).toContain("deadLetteringOnMessageExpiration: true");
    const ns = resourceDeclarations(t).find((r) => r.type === "Microsoft.ServiceBus/namespaces");
    expect(literalValue(propertyValue(ns?.body, "sku") ?? ns?.body ?? ({} as never))).toEqual({
      name: "Standard",
      tier: "Standard",
    });
  });

  it("converts durations as Service Bus reads them", () => {
    expect([isoDuration(60_000), isoDuration(300_000), isoDuration(600_000), isoDuration(30_000)]).toEqual([
      "PT1M",
      "PT5M",
      "PT10M",
      "PT30S",
    ]);
  });
});

describe("app settings match shared/config.ts", () => {
  const known = configSettingNames();

  it("reads config.ts's setting names", () => {
    expect([...known]).toEqual(
      expect.arrayContaining(["TRUST_STORE_PATH", "ServiceBusConnection__fullyQualifiedNamespace"]),
    );
  });

  it("sets only names config.ts or the Functions platform reads", async () => {
    expect((await appSettingKeys()).filter((k) => !known.has(k) && !PLATFORM_SETTINGS.has(k))).toEqual([]);
  });

  it.each(REQUIRED_SETTINGS)("sets %s", async (name) => {
    expect(known.has(name)).toBe(true);
    expect(await appSettingKeys()).toContain(name);
  });

  it("takes the clientState from Key Vault", async () => {
    const t = await tree("modules/functionapp.bicep");
    expect(t.rootNode.text).toMatch(
      /GRAPH_CLIENT_STATE: '@Microsoft\.KeyVault\(SecretUri=\$\{clientStateSecretUri\}\)'/,
    );
  });
});

describe("the Function App and its storage", () => {
  const facts: ReadonlyArray<{
    name: string;
    file: string;
    type: string;
    path: string[];
    expected: unknown;
  }> = [
    {
      name: "Flex Consumption plan",
      file: "modules/functionapp.bicep",
      type: "Microsoft.Web/serverfarms",
      path: ["sku"],
      expected: { name: "FC1", tier: "FlexConsumption" },
    },
    {
      name: "Node 22",
      file: "modules/functionapp.bicep",
      type: "Microsoft.Web/sites",
      path: ["properties", "functionAppConfig", "runtime"],
      expected: { name: "node", version: "22" },
    },
    {
      name: "deployment container reached with the user-assigned identity",
      file: "modules/functionapp.bicep",
      type: "Microsoft.Web/sites",
      path: ["properties", "functionAppConfig", "deployment", "storage", "authentication", "type"],
      expected: "UserAssignedIdentity",
    },
    {
      name: "user-assigned identity only",
      file: "modules/functionapp.bicep",
      type: "Microsoft.Web/sites",
      path: ["identity", "type"],
      expected: "UserAssigned",
    },
    {
      name: "no shared-key access to storage",
      file: "modules/storage.bicep",
      type: "Microsoft.Storage/storageAccounts",
      path: ["properties", "allowSharedKeyAccess"],
      expected: false,
    },
    {
      name: "Key Vault in RBAC mode",
      file: "modules/keyvault.bicep",
      type: "Microsoft.KeyVault/vaults",
      path: ["properties", "enableRbacAuthorization"],
      expected: true,
    },
    {
      name: "dead-letter alert on DeadletteredMessages",
      file: "modules/alerts.bicep",
      type: "Microsoft.Insights/metricAlerts",
      path: ["properties", "criteria", "allOf"],
      expected: expect.arrayContaining([expect.objectContaining({ metricName: "DeadletteredMessages" })]),
    },
  ];
  it.each(facts)("$name", async ({ file, type, path, expected }) => {
    const declared = resourceDeclarations(await tree(file)).filter((r) => r.type === type);
    const values = declared.map((r) => {
      let node = r.body;
      for (const key of path) node = propertyValue(node, key);
      if (!node) return undefined;
      try {
        return literalValue(node);
      } catch {
        return undefined; // not a literal in this declaration (e.g. the function-failures alert's other metric)
      }
    });
    expect(values).toEqual(expect.arrayContaining([expected]));
  });

  it("names in the log alerts the log lines the app emits", async () => {
    const text = (await tree("modules/alerts.bicep")).rootNode.text;
    expect(text).toContain("where event == 'crl.unreachable'");
    expect(text).toContain("where event == 'smime.continuityAtRisk'");
  });
});

describe("main.bicep, its modules, parameters, the workbook and azure.yaml", () => {
  it("refers to module files that exist, and every module is used", async () => {
    const t = await tree("main.bicep");
    const used = t.rootNode
      .descendantsOfType("module_declaration")
      .flatMap((m) => (m ? [stringValue(m.namedChildren.find((c) => c?.type === "string") as never)] : []));
    expect(used.filter((p) => !existsSync(join(INFRA, p)))).toEqual([]);
    expect(new Set(used)).toEqual(new Set(files.map((f) => f.name).filter((n) => n.startsWith("modules/"))));
  });

  it("main.parameters.json gives every parameter without a default, and names no unknown one", async () => {
    const t = await tree("main.bicep");
    const params = t.rootNode.descendantsOfType("parameter_declaration").flatMap((p) => {
      if (!p) return [];
      const id = p.namedChildren.find((c) => c?.type === "identifier")?.text ?? "";
      return [{ id, hasDefault: /=/.test(p.text) }];
    });
    const file = JSON.parse(readFileSync(join(INFRA, "main.parameters.json"), "utf8")) as {
      parameters: Record<string, { value: unknown }>;
    };
    const given = Object.keys(file.parameters);
    expect(given.filter((g) => !params.some((p) => p.id === g))).toEqual([]);
    expect(params.filter((p) => !p.hasDefault && !given.includes(p.id)).map((p) => p.id)).toEqual([]);
  });

  it("workbook.json is a workbook whose every query tile has KQL", () => {
    const wb = JSON.parse(readFileSync(join(INFRA, "workbook.json"), "utf8")) as {
      version: string;
      items: Array<{ type: number; content: { query?: string; title?: string; metrics?: unknown[] } }>;
    };
    expect(wb.version).toBe("Notebook/1.0");
    const queries = wb.items.filter((i) => i.type === 3);
    expect(queries.length).toBeGreaterThanOrEqual(6);
    expect(queries.filter((q) => !q.content.query?.trim()).map((q) => q.content.title)).toEqual([]);
    expect(wb.items.some((i) => i.type === 10 && (i.content.metrics?.length ?? 0) > 0)).toBe(true);
  });

  it("azure.yaml parses and deploys the api service to a function host from infra/", () => {
    const project = parseYaml(readFileSync(join(ROOT, "azure.yaml"), "utf8")) as {
      services: Record<string, { host: string; language: string; project: string }>;
      infra: { provider: string; path: string };
    };
    expect(project.services.api).toMatchObject({ host: "function", language: "ts", project: "." });
    expect(project.infra).toMatchObject({ provider: "bicep", path: "infra" });
    expect(existsSync(join(ROOT, project.infra.path, "main.bicep"))).toBe(true);
  });

  it("a broken YAML is refused", () => {
    expect(() => parseYaml("services:\n  api: {host: function\n")).toThrow();
  });
});
