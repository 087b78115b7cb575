import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedList } from './sorted-list.js';

type Item = { key: number; id: number };
const before = (a: Item, b: Item): boolean => a.key < b.key;

describe('SortedList', () => {
  it('keeps items in order (equal keys in insertion order), across block splits', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 400 }), fc.integer({ min: 1, max: 8 }), (keys, blockSize) => {
        const list = new SortedList<Item>(before, blockSize);
        const items = keys.map((key, id) => ({ key, id }));
        for (const item of items) list.insert(item);
        // A stable sort is the reference: equal keys keep their insertion order.
        const expected = [...items].sort((a, b) => a.key - b.key);
        expect(list.toArray()).toEqual(expected);
        expect([...list]).toEqual(expected);
        expect(list.length).toBe(items.length);
        expect(list.first()).toEqual(expected[0]);
        expected.forEach((item, i) => expect(list.at(i)).toBe(item));
        expect(list.at(expected.length)).toBeUndefined();
        const threshold = 10;
        const start = list.firstIndex((item) => item.key >= threshold);
        expect(start).toBe(expected.findIndex((item) => item.key >= threshold) === -1 ? expected.length : expected.findIndex((item) => item.key >= threshold));
        expect([...list.from(start)]).toEqual(expected.slice(start));
      }),
    );
  });

  it('builds from items already in order', () => {
    const items = Array.from({ length: 1000 }, (_, i) => ({ key: i, id: i }));
    const list = SortedList.fromSorted(before, items, 64);
    list.insert({ key: 500.5, id: -1 });
    expect(list.at(501)).toEqual({ key: 500.5, id: -1 });
    expect(list.length).toBe(1001);
  });
});
