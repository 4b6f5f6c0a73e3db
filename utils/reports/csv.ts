/** CSV downloads of a report: file names, and the download itself (with the session's token). */
import type { ReportQuery } from '~/protocol/reports'
import { fetchApiBlob } from '~/utils/api/page'
import { toSearch } from './query'

export type CsvKind = 'conversations' | 'aggregates'

/** The file name of a CSV download: `wa-inbox-conversations-2025-01-01_2025-01-31.csv`. */
export function csvFileName(kind: CsvKind, from: string, to: string): string {
  return `wa-inbox-${kind}-${from}_${to}.csv`
}

/**
 * Downloads `GET /api/reports/<kind>.csv` for the query (with the session's token, so not a plain
 * link): the Blob goes through an object URL and an `<a download>`, revoked afterwards.
 */
export async function downloadReportCsv(kind: CsvKind, query: ReportQuery, fileName: string): Promise<void> {
  const blob = await fetchApiBlob(`/api/reports/${kind}.csv${toSearch(query)}`, {
    headers: { Accept: 'text/csv' },
  })
  const url = URL.createObjectURL(blob)
  try {
    const link = document.createElement('a')
    link.href = url
    link.download = fileName
    link.rel = 'noopener'
    document.body.append(link)
    link.click()
    link.remove()
  }
  finally {
    // The click starts the download synchronously; the URL is not needed after.
    setTimeout(() => URL.revokeObjectURL(url), 0)
  }
}
