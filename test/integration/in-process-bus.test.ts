import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInProcessBus } from "../../shared/adapters/in-process-bus/bus.ts";
import { describeEventBusContract } from "../contract/event-bus.contract.ts";

describeEventBusContract("in-process bus (SQLite journal)", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "bus-contract-"));
  const bus = createInProcessBus({ dataDir, pollIntervalMs: 10, backoff: { baseMs: 20, maxMs: 100 } });
  return {
    bus,
    async close() {
      await bus.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});
