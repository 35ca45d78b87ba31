import type { GuidanceEntry } from '../../model/finding';
import type { FindingId } from '../finding-ids';

/** A guidance entry plus what `explain` can look it up by. */
export interface CatalogEntry extends GuidanceEntry {
  id: FindingId;
  /** HTTP statuses this scenario shows up as. */
  statuses?: number[];
  /** AADSTS codes (digits only) this scenario stands for. */
  aadsts?: string[];
}
