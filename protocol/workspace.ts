/**
 * The workspace and its settings: `GET /api/workspace` (every agent) and `PATCH /api/workspace`
 * (admins). Agents also receive the workspace through sync (kind `workspace`).
 */
import type { Static } from 'typebox'
import Type from 'typebox'

/** ISO 3166-1 alpha-2, upper case (`RO`, `GB`): the country national phone numbers are read in. */
export const CountryCodeSchema = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country code' })

export const WorkspaceSettingsSchema = Type.Object({
  /** where a phone number written without `+` is read (`0722 123 456` in `RO` → +40722123456); null: none */
  defaultCountry: Type.Optional(Type.Union([
    CountryCodeSchema,
    Type.Null(),
  ])),
}, { additionalProperties: true })
export type WorkspaceSettings = Static<typeof WorkspaceSettingsSchema>

export const WorkspaceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  settings: WorkspaceSettingsSchema,
})
export type WorkspaceInfo = Static<typeof WorkspaceSchema>

/** `PATCH /api/workspace`: the settings given replace those keys; `null` clears one. */
export const UpdateWorkspaceSchema = Type.Object({
  settings: Type.Object({
    defaultCountry: Type.Optional(Type.Union([
      CountryCodeSchema,
      Type.Null(),
    ])),
  }, { additionalProperties: false, minProperties: 1 }),
}, { additionalProperties: false })
export type UpdateWorkspace = Static<typeof UpdateWorkspaceSchema>
