// The composer's limits and delays.

/** WhatsApp's limit for a text message (reference §2.2). */
export const TEXT_MAX_LENGTH = 4096
/** …and for a caption on an image, video or document. */
export const CAPTION_MAX_LENGTH = 1024
/** How long typing pauses before the draft is saved. */
export const DRAFT_SAVE_DELAY_MS = 400
