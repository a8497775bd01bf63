/** The Azurite launcher lives with the local host, which uses it too; tests import it from here. */
export * from "../../shared/local/azurite.ts";
