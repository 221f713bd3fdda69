// Errors raised by the replication core. The message is French (it may reach a person through the
// coordinator's sync screen); the code is for machines (server responses, tests, logs).

export type SyncErrorCode =
  | 'invalid_op'
  | 'invalid_hlc'
  | 'unknown_entity'
  | 'unknown_field'
  | 'wrong_kind'
  | 'invalid_value';

export class SyncValidationError extends Error {
  override readonly name = 'SyncValidationError';

  constructor(
    readonly code: SyncErrorCode,
    message: string,
    readonly entity?: string,
    readonly field?: string,
  ) {
    super(message);
  }
}
