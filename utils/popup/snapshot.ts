import type { PopupData } from '~/utils/badge'
import { popupSnapshotStorage } from '~/utils/badge'

let prefetched: Promise<PopupData | null> | null = null

/** Starts reading the background's copy of the popup's data (call first thing in main.ts). */
export function prefetchPopupSnapshot(): void {
  prefetched ??= popupSnapshotStorage.getValue().catch(() => null)
}

/** The background's copy of the popup's data, read once per page (null when there is none). */
export function prefetchedPopupSnapshot(): Promise<PopupData | null> {
  prefetchPopupSnapshot()
  return prefetched!
}
