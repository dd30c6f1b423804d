// How moderation routes name their target (docs/protocol.md §6.3).

/**
 * Exactly one of the two. The client names everyone by `id`: a name is
 * resolved against accounts' usernames before guests' display names, so a
 * guest called "Bob" would be mistaken for the account `bob`, and two guests
 * sharing a name cannot be told apart at all (409).
 */
export type UserRef = { id: number } | { user: string };

export const byId = (id: number): UserRef => ({ id });
