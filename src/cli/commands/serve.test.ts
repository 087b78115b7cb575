import { describe, expect, it } from 'vitest';
import { hasDisplay } from './serve.js';

describe('whether demo can open a browser', () => {
  it('sees a display on macOS and Windows, and on Linux only with DISPLAY or WAYLAND_DISPLAY', () => {
    expect(hasDisplay({}, 'darwin')).toBe(true);
    expect(hasDisplay({}, 'win32')).toBe(true);
    expect(hasDisplay({}, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: '' }, 'linux')).toBe(false);
    expect(hasDisplay({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(true);
  });
});
