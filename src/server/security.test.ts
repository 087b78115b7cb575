import { describe, expect, it } from 'vitest';
import { newSecrets, sameSecret } from './security.js';
import { isLoopback } from './server.js';

describe('secrets', () => {
  it('compares in constant time and tells equal from different, whatever the lengths', () => {
    const { token, csrfToken } = newSecrets();
    expect(token).not.toBe(csrfToken);
    expect(token.length).toBeGreaterThanOrEqual(43);
    expect(sameSecret(token, token)).toBe(true);
    expect(sameSecret(`${token}x`, token)).toBe(false);
    expect(sameSecret(token.slice(0, -1), token)).toBe(false);
    expect(sameSecret('', token)).toBe(false);
    expect(sameSecret(undefined, token)).toBe(false);
    expect(newSecrets().token).not.toBe(token);
  });
});

describe('where the server may listen', () => {
  it('counts only loopback addresses as loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.com', '127.0.0.1.nip.io']) expect(isLoopback(host), host).toBe(false);
  });
});
