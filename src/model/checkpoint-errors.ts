// Typed errors for checkpoint files (safetensors, config.json, HF folders). Every refusal carries a stable code
// that tests and the UI branch on, and a message that says what is wrong and where (file, tensor, byte offset).

export type CheckpointErrorCode =
  // safetensors container
  | 'PICKLE_REFUSED'
  | 'HEADER_TOO_SMALL'
  | 'HEADER_TOO_LARGE'
  | 'INVALID_HEADER_LENGTH'
  | 'INVALID_HEADER_START'
  | 'INVALID_HEADER_UTF8'
  | 'INVALID_HEADER_JSON'
  | 'DUPLICATE_TENSOR'
  | 'INVALID_METADATA'
  | 'INVALID_TENSOR_INFO'
  | 'INVALID_DTYPE'
  | 'INVALID_SHAPE'
  | 'INVALID_OFFSETS'
  | 'VALIDATION_OVERFLOW'
  | 'TENSOR_SIZE_MISMATCH'
  | 'TRUNCATED'
  | 'TRAILING_BYTES'
  | 'UNKNOWN_TENSOR'
  | 'DTYPE_CONVERSION'
  | 'INVALID_TENSOR_DATA'
  // Hugging Face folder layer
  | 'MISSING_FILE'
  | 'FILE_TOO_LARGE'
  | 'INVALID_CONFIG'
  | 'UNSUPPORTED_CONFIG'
  | 'INVALID_INDEX'
  | 'KEY_MISMATCH'
  | 'SHAPE_MISMATCH'
  | 'UNTIED_LM_HEAD'
  | 'UNSUPPORTED_HEAD'
  | 'INVALID_TRAINING_STATE'
  | 'NON_FINITE'
  | 'MANIFEST_MISMATCH';

export interface CheckpointErrorDetails {
  /** File the error is about (a name, not a path on disk). */
  file?: string;
  /** Tensor or key name. */
  tensor?: string;
  /** Byte offset in the file. */
  offset?: number;
  /** Keys the model needs that the checkpoint lacks (KEY_MISMATCH). */
  missing?: string[];
  /** Keys the checkpoint has that the model does not know (KEY_MISMATCH). */
  unexpected?: string[];
  /** One line per problem, when several are reported at once. */
  problems?: string[];
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  readonly code: CheckpointErrorCode;
  readonly details: CheckpointErrorDetails;

  constructor(code: CheckpointErrorCode, message: string, details: CheckpointErrorDetails = {}) {
    super(details.file ? `${details.file}: ${message}` : message);
    this.code = code;
    this.details = details;
  }
}

/** The one message for every pickle we refuse, whatever the container. */
export const PICKLE_MESSAGE =
  'this is a PyTorch pickle checkpoint (.bin/.pt); gpt1-lab never loads pickles because they can run code; ' +
  'convert it with save_pretrained(dir, safe_serialization=True)';

/** Formats a list of names for a message: the first `max`, then how many more. */
export function listNames(names: readonly string[], max = 12): string {
  const shown = names.slice(0, max).map((n) => `'${n}'`);
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}
