// vaekit latent explorer: plain JS, talks only to its own server's /api (helpers in util.js).
// Errors are shown on the page (#status), never thrown: actions run through guarded().
"use strict";

// ---- header ---------------------------------------------------------------------------
function renderHeader(info) {
  $("run-name").textContent = info.name;
  const bits = [`data ${info.data}`, `${info.likelihood} likelihood`,
    info.binarization !== "none" ? `${info.binarization} binarization` : null,
    `${info.variant} (${info.arch}, ${info.latent} latent)`, `${info.latent_dim} latent dimensions`,
    info.shape.length === 3 ? `image ${info.shape[2]}×${info.shape[1]} ${info.mode}` : `rows of ${info.shape[0]} model values`];
  $("run-summary").textContent = bits.filter(Boolean).join(" · ");
  const m = info.metrics || {}, e = info.eval || {};
  const held = m.heldout_split === "test" ? "test" : "validation";
  const rows = [["epoch", m.epoch], [`${held} −ELBO`, m.heldout_loss], ["reconstruction", m.heldout_recon],
    ["KL", m.heldout_kl], ["active units", m.active_units !== undefined ? `${m.active_units}/${info.latent_dim}` : undefined],
    [`NLL (k=${e.k})`, e.nll], ["bits/dim", e.bits_per_dim]];
  const dl = $("metrics");
  dl.replaceChildren();
  for (const [k, v] of rows) {
    if (v === undefined || v === null) continue;
    dl.append(el("div", {}, el("dt", { textContent: k }), el("dd", { textContent: fmt(v) })));
  }
  if (!dl.children.length) dl.append(el("div", {}, el("dt", { textContent: "no metrics.csv rows yet" })));
}

// ---- sliders --------------------------------------------------------------------------
function dimLabel(d) {
  const num = (v) => (v === null ? "–" : v.toFixed(2));
  return d.kl !== null ? `z${d.index} · KL ${num(d.kl)}` : `z${d.index} · var ${num(d.variance)}`;
}

function renderSliders() {
  const box = $("sliders");
  box.replaceChildren();
  const dims = state.info.dims.slice(state.page * PAGE, (state.page + 1) * PAGE);
  for (const d of dims) {
    const id = "z" + d.index;
    const input = el("input", { type: "range", min: -SPAN, max: SPAN, step: 0.01, id });
    input.value = state.z[d.index];
    input.dataset.dim = d.index;
    const out = el("output", { textContent: state.z[d.index].toFixed(2) });
    const label = el("label", { htmlFor: id, textContent: dimLabel(d) + " " });
    if (!d.active) label.append(el("span", { className: "tag", textContent: "inactive" }));
    const row = el("div", { className: "slider" + (d.active ? "" : " inactive") }, label, input, out);
    input.addEventListener("input", () => {
      state.z[d.index] = Number(input.value);
      out.textContent = state.z[d.index].toFixed(2);
      drawPad();
      requestDecode();
    });
    box.append(row);
  }
}

function syncSliders() {
  for (const input of $("sliders").querySelectorAll("input[type=range]")) {
    const v = state.z[Number(input.dataset.dim)];
    input.value = v;
    input.nextElementSibling.textContent = v.toFixed(2);
  }
  drawPad();
}

function setCode(z, image) {
  state.z = z.slice();
  syncSliders();
  if (image) show("decoded", image); else requestDecode();
}

// Decode the sliders' code; while a request is out, remember only that another is due.
function requestDecode() {
  if (state.busy) { state.pending = true; return; }
  state.busy = true;
  state.pending = false;
  api("/api/decode", { z: state.z, label: state.label })
    .then((r) => { show("decoded", itemsOf(r)[0]); clearError(); })
    .catch(showError)
    .finally(() => { state.busy = false; if (state.pending) requestDecode(); });
}

// ---- 2-D pad --------------------------------------------------------------------------
function padDims() { return [Number($("pad-x").value), Number($("pad-y").value)]; }

function drawPad() {
  const c = $("pad"), g = c.getContext("2d"), w = c.width, h = c.height;
  g.clearRect(0, 0, w, h);
  g.strokeStyle = "#e1e5eb";
  for (let v = -SPAN; v <= SPAN; v++) {
    const x = (v + SPAN) / (2 * SPAN) * w, y = (SPAN - v) / (2 * SPAN) * h;
    g.beginPath(); g.moveTo(x, 0); g.lineTo(x, h); g.moveTo(0, y); g.lineTo(w, y); g.stroke();
  }
  g.strokeStyle = "#9aa3b0";
  g.beginPath(); g.moveTo(w / 2, 0); g.lineTo(w / 2, h); g.moveTo(0, h / 2); g.lineTo(w, h / 2); g.stroke();
  if (!state.info) return;
  const [dx, dy] = padDims();
  const px = (Math.max(-SPAN, Math.min(SPAN, state.z[dx])) + SPAN) / (2 * SPAN) * w;
  const py = (SPAN - Math.max(-SPAN, Math.min(SPAN, state.z[dy]))) / (2 * SPAN) * h;
  g.fillStyle = "#2f6fde";
  g.beginPath(); g.arc(px, py, 6, 0, 2 * Math.PI); g.fill();
  g.fillStyle = "#5b6576";
  g.font = "11px sans-serif";
  g.fillText(`z${dx}`, w - 24, h / 2 - 4);
  g.fillText(`z${dy}`, w / 2 + 4, 11);
}

function padMove(ev) {
  const c = $("pad"), r = c.getBoundingClientRect();
  const fx = (ev.clientX - r.left) / r.width, fy = (ev.clientY - r.top) / r.height;
  const [dx, dy] = padDims();
  state.z[dx] = Math.round((fx * 2 * SPAN - SPAN) * 100) / 100;
  state.z[dy] = Math.round((SPAN - fy * 2 * SPAN) * 100) / 100;
  syncSliders();
  requestDecode();
}

function setupPad() {
  const dims = state.info.dims;
  for (const id of ["pad-x", "pad-y"]) {
    $(id).replaceChildren(...dims.map((d) => el("option", { value: d.index, textContent: `z${d.index}` })));
    $(id).addEventListener("change", drawPad);
  }
  $("pad-x").value = dims[0].index;
  $("pad-y").value = dims[Math.min(1, dims.length - 1)].index;
  const c = $("pad");
  c.addEventListener("pointerdown", (ev) => { c.setPointerCapture(ev.pointerId); padMove(ev); });
  c.addEventListener("pointermove", (ev) => { if (ev.buttons & 1) padMove(ev); });
}

// ---- prior samples --------------------------------------------------------------------
function thumbStrip(box, items, codes) {
  box.replaceChildren(...items.map((item, i) => {
    const node = thumb(item, `example ${i}`, "click to load this code");
    node.addEventListener("click", () => setCode(codes[i], item));
    return node;
  }));
}

async function sample() {
  const temperature = Number($("temperature").value);
  const r = await api("/api/sample", { n: 8, temperature, seed: state.seed++, label: state.label });
  thumbStrip($("samples"), itemsOf(r), r.codes);
  setCode(r.codes[0], itemsOf(r)[0]);
  if (r.notes.length) { $("prior-note").textContent = r.notes.join(" "); $("prior-note").hidden = false; }
  clearError();
}

// ---- held-out examples and interpolation -----------------------------------------------
async function loadThumbs() {
  const r = await api(`/api/examples?start=${state.thumbStart}&count=48`);
  const classes = state.info.classes;
  const items = itemsOf(r);
  $("thumbs").replaceChildren(...items.map((item, i) => {
    const index = r.start + i;
    const label = r.labels ? r.labels[i] : null;
    const name = label === null ? "" : " · " + (classes && classes[label] !== undefined ? classes[label] : label);
    const img = thumb(item, `example ${index}`, `#${index}${name}`);
    img.dataset.index = index;
    img.addEventListener("click", guarded(() => pickExample(index)));
    return img;
  }));
  $("thumbs-range").textContent = `${r.start}–${r.start + items.length - 1} of ${r.total}`;
  markPicked();
}

function markPicked() {
  for (const img of $("thumbs").children) {
    img.classList.toggle("from", img.dataset.index === $("from").value);
    img.classList.toggle("to", img.dataset.index === $("to").value);
  }
}

function pickExample(index) {
  $(state.pick).value = index;
  state.pick = state.pick === "from" ? "to" : "from";
  $("pick-which").textContent = state.pick;
  markPicked();
  return interpolate();
}

async function interpolate() {
  const body = { from: Number($("from").value), to: Number($("to").value),
    steps: Number($("steps").value), method: $("method").value };
  const r = await api("/api/interpolate", body);
  thumbStrip($("path"), itemsOf(r), r.codes);
  clearError();
}

// ---- latent map ----------------------------------------------------------------------
function mapScale(m, c) {
  const pad = 12, xs = m.x, ys = m.y;
  const x0 = Math.min(...xs), x1 = Math.max(...xs), y0 = Math.min(...ys), y1 = Math.max(...ys);
  const sx = (c.width - 2 * pad) / ((x1 - x0) || 1), sy = (c.height - 2 * pad) / ((y1 - y0) || 1);
  return (i) => [pad + (xs[i] - x0) * sx, c.height - pad - (ys[i] - y0) * sy];
}

function drawMap() {
  const m = state.map, c = $("map"), g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  if (!m || !m.x.length) return;
  const at = mapScale(m, c);
  for (let i = 0; i < m.x.length; i++) {
    const [px, py] = at(i);
    g.fillStyle = m.label ? COLORS[m.label[i] % COLORS.length] : "#2f6fde";
    g.globalAlpha = 0.7;
    g.fillRect(px - 1.5, py - 1.5, 3, 3);
  }
  g.globalAlpha = 1;
  if (state.picked !== null) {  // the example whose code is on the sliders
    const [px, py] = at(state.picked);
    g.strokeStyle = "#1d2430";
    g.lineWidth = 2;
    g.beginPath(); g.arc(px, py, 6, 0, 2 * Math.PI); g.stroke();
    g.lineWidth = 1;
  }
}

async function loadMap() {
  const m = await api("/api/latent-map");
  state.map = m;
  const how = { identity: "the 2-D codes themselves", pca: `PCA of the ${state.info.latent_dim}-D means`,
    tsne: "t-SNE" }[m.method] || m.method;
  $("map-note").textContent = `E[z|x] of ${m.n} of ${m.of} held-out examples: ${how}. Click a point to load its code.`;
  const classes = state.info.classes;
  const legend = $("legend");
  legend.replaceChildren();
  if (m.label) {
    const seen = [...new Set(m.label)].sort((a, b) => a - b);
    for (const l of seen) {
      const s = el("span", { textContent: classes && classes[l] !== undefined ? classes[l] : String(l) });
      s.style.setProperty("--dot", COLORS[l % COLORS.length]);
      legend.append(s);
    }
  }
  drawMap();
}

async function mapClick(ev) {
  const m = state.map, c = $("map");
  if (!m || !m.x.length) return;
  const r = c.getBoundingClientRect();
  const qx = (ev.clientX - r.left) * c.width / r.width, qy = (ev.clientY - r.top) * c.height / r.height;
  const at = mapScale(m, c);
  let best = -1, bestD = 144;
  for (let i = 0; i < m.x.length; i++) {
    const [px, py] = at(i);
    const d = (px - qx) ** 2 + (py - qy) ** 2;
    if (d < bestD) { best = i; bestD = d; }
  }
  if (best < 0) return;
  const e = await api("/api/encode", { index: m.index[best] });
  state.picked = best;
  drawMap();
  if (e.label !== null && state.info.conditional) { state.label = e.label; $("label").value = e.label; }
  setCode(e.z, e.reconstruction);
  show("picked-image", e.image || e.row);
  show("picked-recon", e.reconstruction);
  const classes = state.info.classes;
  const name = e.label === null ? "" : " · " + (classes && classes[e.label] !== undefined ? classes[e.label] : e.label);
  $("picked-caption").textContent = `example #${e.index}${name}`;
  $("picked").hidden = false;
  clearError();
}

// ---- start ---------------------------------------------------------------------------
async function start() {
  const info = await api("/api/info");
  state.info = info;
  state.z = info.center.slice();
  if (info.shape.length !== 3) useRows();
  renderHeader(info);
  const inactive = info.dims.filter((d) => !d.active).length;
  const key = info.dims.length && info.dims[0].kl !== null ? "held-out KL" : "variance of the held-out means";
  $("sliders-note").textContent = `${info.latent_dim} dimensions by ${key}, most informative first; ` +
    `${inactive} inactive (Var E[z|x] ≤ 0.01). Range ±${SPAN}.`;
  if (info.dims.length > PAGE) {
    const pages = Math.ceil(info.dims.length / PAGE);
    $("dim-page").replaceChildren(...Array.from({ length: pages }, (_, p) =>
      el("option", { value: p, textContent: `dimensions ${p * PAGE + 1}–${Math.min((p + 1) * PAGE, info.dims.length)} by KL` })));
    $("dim-page").addEventListener("change", () => { state.page = Number($("dim-page").value); renderSliders(); });
    $("dim-page-box").hidden = false;
  }
  if (info.conditional) {
    $("label").replaceChildren(...info.classes.map((c, i) => el("option", { value: i, textContent: `${i}: ${c}` })));
    state.label = 0;
    $("label").addEventListener("change", () => { state.label = Number($("label").value); requestDecode(); });
    $("label-box").hidden = false;
  }
  const note = $("prior-note");
  note.textContent = info.fitted_prior && !info.code_prior
    ? `No prior fitted on the codes yet (${info.prior}): samples are noise; run vaekit train-prior.`
    : `Samples come from the prior: ${info.prior}.`;
  note.hidden = false;
  $("from").max = $("to").max = info.heldout.n - 1;
  $("steps").max = info.limits.steps;
  renderSliders();
  setupPad();
  drawPad();
  requestDecode();
  $("reset").addEventListener("click", () => setCode(info.center.slice()));
  $("sample").addEventListener("click", guarded(sample));
  $("interpolate").addEventListener("click", guarded(interpolate));
  $("map").addEventListener("click", guarded(mapClick));
  $("thumbs-prev").addEventListener("click", guarded(() => {
    state.thumbStart = Math.max(0, state.thumbStart - 48); return loadThumbs(); }));
  $("thumbs-next").addEventListener("click", guarded(() => {
    if (state.thumbStart + 48 < info.heldout.n) state.thumbStart += 48; return loadThumbs(); }));
  for (const id of ["from", "to"]) $(id).addEventListener("change", markPicked);
  await Promise.all([loadThumbs(), interpolate(), loadMap()]);
  document.body.dataset.ready = "1";
}

document.addEventListener("DOMContentLoaded", guarded(start));
