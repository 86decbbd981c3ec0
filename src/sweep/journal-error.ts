// A module of its own so that the CLI's error printer (src/cli/errors.ts) knows it without loading the journal.

/** A journal that cannot be used as it is (another writer, another sweep, a corrupt record): exit 2. */
export class JournalError extends Error {
  override name = 'JournalError';
}
