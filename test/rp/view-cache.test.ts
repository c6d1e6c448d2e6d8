/** The bounded cache of serialised resource views: hits, etag changes, least-recently-used eviction. */
import { expect } from 'chai';
import { ViewCache } from '../../rp/providers/view-cache.js';

describe('view cache', () => {
  const text = (s: string) => () => Buffer.from(s);

  it('serves a cached text while the etag is unchanged, and remakes it when the etag changes', () => {
    const cache = new ViewCache<object>(1024);
    const key = {};
    let made = 0;
    const make = (s: string) => () => (made++, Buffer.from(s));
    expect(cache.text(key, 'e1', 'v1', make('a')).toString()).to.equal('a');
    expect(cache.text(key, 'e1', 'v1', make('b')).toString()).to.equal('a');
    expect(made).to.equal(1);
    expect(cache.text(key, 'e1', 'v2', make('c')).toString()).to.equal('c');
    expect(cache.text(key, 'e2', 'v1', make('d')).toString()).to.equal('d');
    expect(made).to.equal(3);
    // the v2 text of the old etag went with it
    expect(cache.text(key, 'e2', 'v2', make('e')).toString()).to.equal('e');
    expect(cache.cachedBytes).to.equal(2);
  });

  it('keeps the cached bytes within the budget, evicting the least recently used first', () => {
    const cache = new ViewCache<object>(30);
    const keys = Array.from({ length: 5 }, () => ({}));
    for (const k of keys) cache.text(k, 'e', 'v', text('x'.repeat(10)));
    expect(cache.cachedBytes).to.be.at.most(30);
    expect(cache.size).to.equal(3);
    // keys[2] is touched, so keys[3] is the oldest when a new one comes
    cache.text(keys[2], 'e', 'v', () => { throw new Error('should be cached'); });
    cache.text({}, 'e', 'v', text('y'.repeat(10)));
    let remade = false;
    cache.text(keys[2], 'e', 'v', () => { throw new Error('should still be cached'); });
    cache.text(keys[3], 'e', 'v', () => ((remade = true), Buffer.from('z')));
    expect(remade).to.equal(true);
    expect(cache.cachedBytes).to.be.at.most(30);
  });

  it('does not cache a text larger than the whole budget', () => {
    const cache = new ViewCache<object>(4);
    expect(cache.text({}, 'e', 'v', text('too long')).toString()).to.equal('too long');
    expect(cache.size).to.equal(0);
  });
});
