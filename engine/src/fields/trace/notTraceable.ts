/** Why a field function cannot be compiled (recorded and replayed): the message says what it does. */
export class NotTraceable extends Error {}
