// The graph viewer: a Graphviz SVG (laid out by `dot` on the server) shown with pan and zoom,
// fit-to-screen, full screen, search by name, and clicks on nodes sent back to Python.
//
// Streamlit calls the default export on every script run with `data`:
//   svg      the SVG text Graphviz wrote (labels already escaped by explorer.views.graph)
//   selected the id of the node whose details the page shows ("t12", "o5", ...) or null
//   labels   button and box texts in the learner's language
//   minLabel the smallest median label height, in CSS pixels, the default view may draw
//   maxScale the largest scale the default view may draw (small graphs stay natural size)
// and gets back the trigger `clicked`: the DOT id of the node the learner clicked.
//
// The SVG is parsed as XML (DOMParser) and imported node by node: nothing is ever read as HTML,
// so a label shows exactly the characters Graphviz wrote. Panzoom (vendored above this file)
// moves a stage holding the SVG with CSS transforms.

const views = new WeakMap();
const DRAG_SLOP = 6;           // pixels a pointer may move and still count as a click
const SVG_NS = "http://www.w3.org/2000/svg";

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Toolbar icons, 16x16 strokes.
const ICONS = {
  "zoom-out": "M3 8h10",
  "zoom-in": "M3 8h10M8 3v10",
  "fit": "M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4M5 5l6 6M11 5l-6 6",
  "readable": "M3 13L8 3l5 10M5 9h6",
  "fullscreen": "M2 6V2h4M10 2h4v4M14 10v4h-4M6 14H2v-4",
};

function button(icon) {
  const node = element("button", `gv-button gv-${icon}`);
  node.type = "button";
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("width", "16");
  svg.setAttribute("height", "16");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("d", ICONS[icon]);
  svg.append(path);
  node.append(svg);
  return node;
}

// The SVG element of `text`, or null; with anything that could run code or leave the page
// removed (Graphviz writes none of it for our DOT, but the viewer does not rely on that).
function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = doc.documentElement;
  if (!svg || svg.namespaceURI !== SVG_NS || svg.localName !== "svg" ||
      doc.getElementsByTagName("parsererror").length) {
    return null;
  }
  for (const bad of [...svg.querySelectorAll("script, foreignObject, style, iframe, image")]) {
    bad.remove();
  }
  for (const link of [...svg.querySelectorAll("a")]) {
    link.replaceWith(...link.childNodes);
  }
  for (const node of [svg, ...svg.querySelectorAll("*")]) {
    for (const attr of [...node.attributes]) {
      const name = attr.name.toLowerCase();
      if (name.startsWith("on") || name === "href" || name.endsWith(":href")) {
        node.removeAttribute(attr.name);
      }
    }
  }
  return document.importNode(svg, true);
}

function median(values) {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

class Viewer {
  constructor(parent) {
    this.root = element("div", "gv-root");
    this.toolbar = element("div", "gv-toolbar");
    this.search = element("input", "gv-search");
    this.search.type = "search";
    this.count = element("span", "gv-count");
    this.zoomOut = button("zoom-out");
    this.zoomIn = button("zoom-in");
    this.fit = button("fit");
    this.reset = button("readable");
    this.full = button("fullscreen");
    const zoom = element("span", "gv-group");
    zoom.append(this.zoomOut, this.zoomIn, this.fit, this.reset, this.full);
    const find = element("span", "gv-find");
    find.append(this.search, this.count);
    this.toolbar.append(find, zoom);
    this.viewport = element("div", "gv-viewport");
    // The same test id as st.graphviz_chart: tests and benchmarks find the graph either way.
    this.viewport.dataset.testid = "stGraphVizChart";
    this.stage = element("div", "gv-stage");
    this.viewport.append(this.stage);
    this.hint = element("div", "gv-hint");
    this.root.append(this.toolbar, this.viewport, this.hint);
    parent.append(this.root);

    this.svgText = null;
    this.size = null;           // [width, height] of the drawing, in SVG units
    this.touched = false;       // the learner moved the view since it was last set
    this.matches = [];
    this.matchAt = -1;
    this.panzoom = Panzoom(this.stage, {
      canvas: true, maxScale: 8, minScale: 0.05, step: 0.3, cursor: "grab",
      handleStartEvent: (event) => { event.preventDefault(); },
    });
    this.bind();
  }

  bind() {
    const vp = this.viewport;
    vp.addEventListener("wheel", (event) => {
      if (event.ctrlKey || event.metaKey) {   // Ctrl + wheel, and a trackpad's pinch
        this.touched = true;
        this.panzoom.zoomWithWheel(event);
        return;
      }
      const [dx, dy] = [event.deltaX, event.deltaY];
      if (this.canScroll(dx, dy)) {        // else the page scrolls on
        event.preventDefault();
        this.touched = true;
        const scale = this.panzoom.getScale();
        this.panzoom.pan(-dx / scale, -dy / scale, { relative: true, animate: false });
      }
    }, { passive: false });
    let down = null;
    vp.addEventListener("pointerdown", (event) => { down = [event.clientX, event.clientY]; });
    this.stage.addEventListener("panzoomchange", (event) => {
      if (event.detail && event.detail.originalEvent) this.touched = true;
    });
    vp.addEventListener("click", (event) => {
      const moved = down && Math.hypot(event.clientX - down[0], event.clientY - down[1]);
      if (moved > DRAG_SLOP) return;
      const node = event.target.closest && event.target.closest("g.node");
      if (node && this.stage.contains(node)) this.choose(node);
    });
    vp.addEventListener("keydown", (event) => {
      const node = event.target.closest && event.target.closest("g.node");
      if (node && (event.key === "Enter" || event.key === " ")) {
        event.preventDefault();
        this.choose(node);
      }
    });
    this.zoomIn.addEventListener("click", () => this.zoomBy(1.25));
    this.zoomOut.addEventListener("click", () => this.zoomBy(0.8));
    this.fit.addEventListener("click", () => this.fitAll());
    this.reset.addEventListener("click", () => this.readable());
    this.full.addEventListener("click", () => this.toggleFullscreen());
    this.search.addEventListener("input", () => this.find(this.search.value));
    this.search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        this.nextMatch(event.shiftKey ? -1 : 1);
      } else if (event.key === "Escape") {
        this.search.value = "";
        this.find("");
      }
    });
    document.addEventListener("fullscreenchange", () => {
      if (!this.root.isConnected) return;
      this.fullscreenTitle();
      this.layout();
      this.readable();
    });
    this.resize = new ResizeObserver(() => {
      const width = this.viewport.clientWidth;
      if (width && width !== this.width) {
        this.width = width;
        this.layout();
        if (!this.touched) this.readable();
      }
    });
    this.resize.observe(this.root);
  }

  canScroll(dx, dy) {
    const box = this.stage.getBoundingClientRect();
    const vp = this.viewport.getBoundingClientRect();
    return (dy > 0 && box.bottom > vp.bottom + 1) || (dy < 0 && box.top < vp.top - 1) ||
           (dx > 0 && box.right > vp.right + 1) || (dx < 0 && box.left < vp.left - 1);
  }

  update(data) {
    this.labels = data.labels || {};
    this.minLabel = data.minLabel || 12;
    this.maxScale = data.maxScale || 1.5;
    const words = this.labels;
    this.search.placeholder = words.search || "";
    this.search.setAttribute("aria-label", words.search || "");
    for (const [node, key] of [[this.zoomIn, "zoom_in"], [this.zoomOut, "zoom_out"],
                               [this.fit, "fit"], [this.reset, "readable"]]) {
      node.title = words[key] || "";
      node.setAttribute("aria-label", words[key] || "");
    }
    this.fullscreenTitle();
    this.hint.textContent = words.hint || "";
    if (data.svg !== this.svgText) {
      this.svgText = data.svg;
      this.draw(data.svg);
    }
    this.select(data.selected);
  }

  draw(text) {
    const svg = parseSvg(text || "");
    const before = this.size;
    this.stage.replaceChildren();
    if (!svg) return;
    const box = (svg.getAttribute("viewBox") || "").trim().split(/[\s,]+/).map(Number);
    const [width, height] = box.length === 4 && box.every(Number.isFinite) ? [box[2], box[3]]
      : [parseFloat(svg.getAttribute("width")) || 300, parseFloat(svg.getAttribute("height")) || 150];
    svg.setAttribute("width", width);           // one SVG unit = one CSS pixel at scale 1
    svg.setAttribute("height", height);
    for (const title of [...svg.querySelectorAll("title")]) {
      const group = title.parentNode;          // the DOT id ("t12") without a tooltip
      if (group && group.classList && group.classList.contains("node")) {
        group.dataset.node = title.textContent;
        group.setAttribute("tabindex", "0");
        group.setAttribute("role", "button");
        const words = [...group.querySelectorAll("text")].map((t) => t.textContent);
        group.setAttribute("aria-label", words.join(" "));
      }
      title.remove();
    }
    this.stage.style.width = `${width}px`;
    this.stage.style.height = `${height}px`;
    this.stage.append(svg);
    this.svg = svg;
    this.size = [width, height];
    this.labelHeight = median([...svg.querySelectorAll("g.node text")]
      .map((t) => { try { return t.getBBox().height; } catch (e) { return 0; } })
      .filter((h) => h > 0)) || 14;
    this.layout();
    const sameLayout = before && before[0] === width && before[1] === height;
    if (!sameLayout || !this.touched) this.readable();
    this.showCurrentStep();
    if (this.search.value) this.find(this.search.value, false);
  }

  // The viewport's height: the drawing at its readable scale, at most most of the screen.
  layout() {
    if (!this.size) return;
    const fullscreen = document.fullscreenElement === this.root;
    let height;
    if (fullscreen) {
      height = window.innerHeight - this.toolbar.offsetHeight - this.hint.offsetHeight - 8;
    } else {
      const tallest = Math.max(260, Math.round(window.innerHeight * 0.78));
      height = Math.min(tallest, Math.ceil(this.size[1] * this.readableScale()) + 16);
    }
    this.viewport.style.height = `${Math.max(120, height)}px`;
  }

  // Fit to the viewport's width, but never so small that the median label is below minLabel
  // pixels, nor larger than maxScale.
  readableScale() {
    const width = Math.max(1, this.viewport.clientWidth - 16);
    const fit = width / this.size[0];
    const least = this.minLabel / this.labelHeight;
    return Math.max(least, Math.min(fit, this.maxScale));
  }

  // Put the drawing at `scale`, its top-left corner at (x, y) of the viewport. Panzoom scales
  // about the stage's centre: a point p lands at c(1 - s) + s(p + t) for translation t.
  place(scale, x, y) {
    const [w, h] = this.size;
    const tx = (x - (w / 2) * (1 - scale)) / scale;
    const ty = (y - (h / 2) * (1 - scale)) / scale;
    // Panzoom pans to its start once, just after it is made: make that start this place.
    this.panzoom.setOptions({ startScale: scale, startX: tx, startY: ty });
    this.panzoom.zoom(scale, { animate: false, force: true });
    this.panzoom.pan(tx, ty, { animate: false, force: true });
  }

  // The default view: readable, centred when it fits across, else from its left edge.
  // When it is wider than the viewport, the column of the focused variable (outlined by
  // explorer.views.graph) is in view.
  readable() {
    if (!this.size) return;
    const scale = this.readableScale();
    const width = this.viewport.clientWidth;
    let x = Math.max(8, (width - this.size[0] * scale) / 2);
    this.place(scale, x, 8);
    const focus = this.stage.querySelector("g.node.focus");
    if (focus && this.size[0] * scale > width) {
      const box = focus.getBoundingClientRect();
      const vp = this.viewport.getBoundingClientRect();
      const shift = vp.left + width / 2 - (box.left + box.width / 2);
      x = Math.min(8, Math.max(width - 8 - this.size[0] * scale, x + shift));
      this.place(scale, x, 8);
    }
    this.touched = false;
  }

  fitAll() {
    if (!this.size) return;
    const [w, h] = this.size;
    const [vw, vh] = [this.viewport.clientWidth - 16, this.viewport.clientHeight - 16];
    const scale = Math.min(vw / w, vh / h, this.maxScale);
    this.place(scale, (vw - w * scale) / 2 + 8, (vh - h * scale) / 2 + 8);
    this.touched = true;
  }

  zoomBy(factor) {
    const vp = this.viewport.getBoundingClientRect();
    const scale = this.panzoom.getScale() * factor;
    this.panzoom.zoomToPoint(scale, { clientX: vp.left + vp.width / 2,
                                      clientY: vp.top + vp.height / 2 }, { animate: false });
    this.touched = true;
  }

  // Pan so `node` sits in the middle of the viewport, zooming in to readable size if needed.
  centre(node) {
    const scale = Math.max(this.panzoom.getScale(), this.readableScale());
    const now = this.panzoom.getScale();
    const stage = this.stage.getBoundingClientRect();
    const box = node.getBoundingClientRect();
    const cx = (box.left + box.width / 2 - stage.left) / now;     // in SVG units
    const cy = (box.top + box.height / 2 - stage.top) / now;
    const [vw, vh] = [this.viewport.clientWidth, this.viewport.clientHeight];
    this.place(scale, vw / 2 - cx * scale, vh / 2 - cy * scale);
    this.touched = true;
  }

  showCurrentStep() {
    const current = this.stage.querySelector("g.node.step-current");
    if (!current) return;
    const box = current.getBoundingClientRect();
    const vp = this.viewport.getBoundingClientRect();
    if (box.top < vp.top || box.bottom > vp.bottom || box.left < vp.left || box.right > vp.right) {
      this.centre(current);
    }
  }

  choose(node) {
    this.select(node.dataset.node);
    this.setTrigger("clicked", node.dataset.node);
  }

  select(id) {
    for (const node of this.stage.querySelectorAll("g.node.gv-selected")) {
      node.classList.remove("gv-selected");
    }
    if (!id) return;
    for (const node of this.stage.querySelectorAll("g.node")) {
      if (node.dataset.node === id) node.classList.add("gv-selected");
    }
  }

  find(query, move = true) {
    const wanted = query.trim().toLowerCase();
    const nodes = [...this.stage.querySelectorAll("g.node")];
    this.matches = [];
    for (const node of nodes) {
      const text = [...node.querySelectorAll("text")].map((t) => t.textContent).join(" ");
      const hit = wanted !== "" && text.toLowerCase().includes(wanted);
      node.classList.toggle("gv-match", hit);
      node.classList.toggle("gv-dim", wanted !== "" && !hit);
      if (hit) this.matches.push(node);
    }
    this.root.classList.toggle("gv-searching", wanted !== "");
    this.matchAt = -1;
    if (move && this.matches.length) this.nextMatch(1);
    else this.showCount();
  }

  nextMatch(by) {
    if (!this.matches.length) return;
    this.matchAt = (this.matchAt + by + this.matches.length) % this.matches.length;
    for (const node of this.matches) node.classList.remove("gv-match-current");
    const node = this.matches[this.matchAt];
    node.classList.add("gv-match-current");
    this.centre(node);
    this.showCount();
  }

  showCount() {
    const query = this.search.value.trim();
    if (!query) {
      this.count.textContent = "";
    } else if (!this.matches.length) {
      this.count.textContent = this.labels.no_match || "0";
    } else {
      this.count.textContent = `${Math.max(this.matchAt, 0) + 1}/${this.matches.length}`;
    }
  }

  toggleFullscreen() {
    if (document.fullscreenElement === this.root) {
      document.exitFullscreen();
    } else if (this.root.requestFullscreen) {
      this.root.requestFullscreen().catch(() => {});
    }
  }

  fullscreenTitle() {
    const on = document.fullscreenElement === this.root;
    const title = (on ? this.labels.exit_fullscreen : this.labels.fullscreen) || "";
    this.full.title = title;
    this.full.setAttribute("aria-label", title);
  }
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let viewer = views.get(parentElement);
  if (!viewer || !viewer.root.isConnected) {
    viewer = new Viewer(parentElement);
    views.set(parentElement, viewer);
  }
  viewer.setTrigger = setTriggerValue;
  viewer.update(data || {});
}
