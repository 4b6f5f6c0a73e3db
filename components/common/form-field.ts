/** What CommonFormField (and the fields built on it) give their control through the default slot. */
export interface FormFieldSlotProps {
  id: string
  describedBy: string | undefined
  invalid: true | undefined
  /** the three as attributes, for `v-bind` */
  control: { 'id': string, 'aria-describedby': string | undefined, 'aria-invalid': true | undefined }
}
