/**
 * Credentials in URLs (`http://user:KEY@host/v1`) never leave Baton: every URL in a message, a
 * log line or a stored error has its user name and password replaced by `***`.
 */

// scheme://userinfo@ — userinfo is everything up to the last @ before the host's first / ? #.
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*(?:@[^\s/?#@]*)*@/giu;

/**
 * Replaces the user name and password of every URL in `text` with `***`.
 *
 * @example
 * redactUrlCredentials('fetch http://me:sk-123@host/v1 failed') // 'fetch http://***@host/v1 failed'
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(USERINFO, '$1***@');
}

/** True when `url` names a user or a password. */
export function hasUrlCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/iu.test(url.trim());
  }
}
