/**
 * SyncChip: the chip-driver contract (driver.ts) as blocking calls, for the one place that cannot
 * await — a Site hook inside a model's (synchronous) TF.js forward pass. Same calls, same errors
 * (HilError), same numbers as the async driver it stands for:
 *
 *   SimulatorDriver      implements it directly (its work is synchronous anyway)
 *   BlockingChipClient   (blocking-client.ts) runs a GrpcChipDriver on a worker thread and waits
 *                        for each answer with Atomics.wait
 */
import type { ChipCapabilities, Matrix, MvmCall, ProgramReport, TargetUnits } from './driver.js';

export interface SyncChip {
  capabilitiesSync(): ChipCapabilities;
  programTileSync(tile: number, targets: Matrix, units?: TargetUnits): ProgramReport;
  /** One output [batch, cols] per call, in order. */
  mvmSync(calls: MvmCall[]): Matrix[];
  timeSync(): number;
  /** Moves time forward by `seconds` (finite, ≥ 0); returns the new time. */
  advanceSync(seconds: number): number;
  resetSync(seed?: number): void;
  closeSync(): void;
}

/** A SyncChip that passes every call on to `inner` and counts the MVM requests (round trips on a remote chip). */
export class CountingChip implements SyncChip {
  requests = 0;
  constructor(private readonly inner: SyncChip) {}
  capabilitiesSync(): ChipCapabilities {
    return this.inner.capabilitiesSync();
  }
  programTileSync(tile: number, targets: Matrix, units?: TargetUnits): ProgramReport {
    return this.inner.programTileSync(tile, targets, units);
  }
  mvmSync(calls: MvmCall[]): Matrix[] {
    this.requests++;
    return this.inner.mvmSync(calls);
  }
  timeSync(): number {
    return this.inner.timeSync();
  }
  advanceSync(seconds: number): number {
    return this.inner.advanceSync(seconds);
  }
  resetSync(seed?: number): void {
    this.inner.resetSync(seed);
  }
  closeSync(): void {
    this.inner.closeSync();
  }
}
