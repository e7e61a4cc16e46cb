// A virtualised list: only the rows in view (plus a margin) exist in the DOM, so tens of
// thousands of rows cost what a screenful costs. Rows have a fixed height unless expanded;
// an expanded row's extra height is given by the caller.

export class VList {
  // renderRow(i, expanded) -> element; rowHeight px; expandedHeight(i) px extra when expanded.
  constructor({ renderRow, rowHeight = 30, expandedHeight = () => 260, header = null, height = 420 }) {
    this.renderRow = renderRow;
    this.rowHeight = rowHeight;
    this.expandedHeight = expandedHeight;
    this.count = 0;
    this.expanded = new Set();
    this.offsets = null;
    this.el = document.createElement('div');
    this.el.className = 'vlist';
    if (header) this.el.append(header);
    this.scroller = document.createElement('div');
    this.scroller.className = 'vlist-scroll';
    this.scroller.style.height = `${height}px`;
    this.spacer = document.createElement('div');
    this.spacer.className = 'vlist-spacer';
    this.scroller.append(this.spacer);
    this.el.append(this.scroller);
    this.scroller.addEventListener('scroll', () => this.schedule());
    this.rendered = new Map();
  }

  setCount(n) {
    this.count = n;
    this.offsets = null;
    this.redraw();
  }

  toggle(i) {
    if (this.expanded.has(i)) this.expanded.delete(i);
    else this.expanded.add(i);
    this.offsets = null;
    this.redraw();
  }

  // Row tops as prefix sums; rebuilt only when rows are added or expanded.
  layout() {
    if (this.offsets) return;
    const off = new Float64Array(this.count + 1);
    for (let i = 0; i < this.count; i++) {
      off[i + 1] = off[i] + this.rowHeight + (this.expanded.has(i) ? this.expandedHeight(i) : 0);
    }
    this.offsets = off;
    this.spacer.style.height = `${off[this.count]}px`;
  }

  schedule() {
    if (this.pending) return;
    this.pending = requestAnimationFrame(() => {
      this.pending = null;
      this.draw();
    });
  }

  redraw() {
    for (const el of this.rendered.values()) el.remove();
    this.rendered.clear();
    this.draw();
  }

  scrollTo(i) {
    this.layout();
    this.scroller.scrollTop = this.offsets[Math.min(i, this.count)];
    this.draw();
  }

  draw() {
    this.layout();
    const top = this.scroller.scrollTop;
    const bottom = top + (this.scroller.clientHeight || 600);
    const off = this.offsets;
    // First row in view: binary search over the prefix sums.
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (off[mid + 1] <= top) lo = mid + 1;
      else hi = mid;
    }
    const first = Math.max(0, lo - 10);
    let last = lo;
    while (last < this.count && off[last] < bottom) last++;
    last = Math.min(this.count, last + 10);
    for (const [i, el] of this.rendered) {
      if (i < first || i >= last) {
        el.remove();
        this.rendered.delete(i);
      }
    }
    for (let i = first; i < last; i++) {
      if (this.rendered.has(i)) continue;
      const el = this.renderRow(i, this.expanded.has(i));
      el.style.position = 'absolute';
      el.style.top = `${off[i]}px`;
      el.style.left = '0';
      el.style.right = '0';
      el.dataset.row = i;
      this.spacer.append(el);
      this.rendered.set(i, el);
    }
  }
}
