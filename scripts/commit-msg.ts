/**
 * The commit-msg hook (package.json `simple-git-hooks`): a subject of at most 72 characters, then a
 * blank line and a body that says why. Merge and fixup commits are left alone.
 * Usage: node scripts/commit-msg.ts <message file>
 */
import fs from 'node:fs'

const MAX_SUBJECT = 72

export function checkCommitMessage(text: string): string | null {
  const lines = text.split('\n').filter(line => !line.startsWith('#'))
  const subject = lines[0]?.trim() ?? ''
  if (/^(?:Merge|fixup!|squash!|amend!|Revert)/.test(subject))
    return null
  if (!subject)
    return 'the subject is empty'
  if (subject.length > MAX_SUBJECT)
    return `the subject is ${subject.length} characters; keep it to ${MAX_SUBJECT}`
  if ((lines[1] ?? '').trim() !== '' || !lines.slice(2).some(line => line.trim()))
    return 'add a body after a blank line: what changed and why'
  return null
}

const file = process.argv[2]
if (file && import.meta.url === `file://${process.argv[1]}`) {
  const problem = checkCommitMessage(fs.readFileSync(file, 'utf8'))
  if (problem) {
    console.error(`commit-msg: ${problem} (docs/contributing.md#lint-typecheck-and-commits)`)
    process.exit(1)
  }
}
