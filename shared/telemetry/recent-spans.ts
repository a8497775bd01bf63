/**
 * A span exporter that keeps the most recent finished spans in memory: local mode's default destination,
 * quiet, bounded (a host running for days must not grow with every request), and what tests read.
 */
import { ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";

export class RecentSpans implements SpanExporter {
  private kept: ReadableSpan[] = [];
  private readonly capacity: number;

  /** @param capacity the most spans kept; the oldest go first */
  constructor(capacity = 2_000) {
    this.capacity = capacity;
  }

  export(spans: ReadableSpan[], done: (result: { code: ExportResultCode }) => void): void {
    this.kept.push(...spans);
    if (this.kept.length > this.capacity) this.kept = this.kept.slice(-this.capacity);
    done({ code: ExportResultCode.SUCCESS });
  }

  /** The spans kept, oldest first. */
  spans(): readonly ReadableSpan[] {
    return this.kept;
  }

  async shutdown(): Promise<void> {
    this.kept = [];
  }

  async forceFlush(): Promise<void> {}
}
