/** Defaults of the HTTP transport's limits, shared by the server and the flags that change them. */

/** Sessions with no request for this long are closed (clients that vanished without DELETE). */
export const DEFAULT_SESSION_IDLE_MS = 10 * 60 * 1000;
/** Most open sessions; past it the longest-idle session is closed to make room (or 503 if all are busy). */
export const DEFAULT_MAX_SESSIONS = 100;
