/**
 * "Ask each time": what a person may pick for one link, and how a pick reads. Pure, shared by
 * the probe that lists the options, the keyboard that shows them, the update parser that reads a
 * press, and the workflow that waits for it.
 */
import type { MediaMode } from './activityTypes.js';

/** A video at most this tall, only the sound, or the file as it is (the best that fits). */
export type QualityChoice = { kind: 'video'; height: number } | { kind: 'audio' } | { kind: 'document' };

/** One button of the picker: a choice the probe found, with its estimated size when yt-dlp knew it. */
export interface QualityOption {
  choice: QualityChoice;
  estimatedBytes?: number;
}

/** What the probe found for a link: the buttons to offer (none: the link is not asked about). */
export interface QualityOptions {
  options: QualityOption[];
  title?: string;
}

/** How a choice becomes the download's mode and height cap (and so its cache key). */
export function applyQualityChoice(choice: QualityChoice): { mode: MediaMode; maxHeight?: number } {
  if (choice.kind === 'video') return { mode: 'video', maxHeight: choice.height };
  return { mode: choice.kind };
}

export function sameQualityChoice(a: QualityChoice, b: QualityChoice): boolean {
  return a.kind === b.kind && (a.kind !== 'video' || a.height === (b as { height: number }).height);
}
