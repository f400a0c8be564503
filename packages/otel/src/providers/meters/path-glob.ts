/**
 * A path glob as a RegExp: `*` matches within one path segment, `**` across
 * segments, every other character stands for itself.
 *
 * @example
 * pathGlob('/search*').test('/search.json') // true
 * pathGlob('/v1/*').test('/v1/a/b') // false
 * pathGlob('/v1/**').test('/v1/a/b') // true
 */
export function pathGlob(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const c = glob[i]!;
    if (c !== '*') source += c.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
    else if (glob[i + 1] === '*') {
      source += '.*';
      i += 1;
    } else source += '[^/]*';
  }
  return new RegExp(`^${source}$`);
}
