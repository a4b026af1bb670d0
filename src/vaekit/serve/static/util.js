// vaekit latent explorer, shared helpers: the page's state, DOM shortcuts and api(), which
// turns every failed request into an Error carrying the server's one-line message.
"use strict";

const PAGE = 32;          // sliders shown at once
const SPAN = 3;           // sliders and pad cover [-SPAN, SPAN] prior standard deviations
const COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf"];

const state = { info: null, z: [], label: null, page: 0, seed: 1, pick: "from", thumbStart: 0,
  map: null, picked: null, busy: false, pending: false };
const $ = (id) => document.getElementById(id);
const png = (b64) => "data:image/png;base64," + b64;

function showError(err) {
  const box = $("status");
  box.textContent = (err && err.message) ? err.message : String(err);
  box.hidden = false;
}
function clearError() { $("status").hidden = true; }

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
  let resp;
  try { resp = await fetch(path, init); } catch (e) { throw new Error("the server does not answer: " + e.message); }
  let data = null;
  try { data = await resp.json(); } catch (e) { data = null; }
  if (!resp.ok) throw new Error((data && data.error) || ("request failed with status " + resp.status));
  return data;
}

// Run an async action; any failure becomes the message on the page.
function guarded(fn) {
  return (...args) => Promise.resolve().then(() => fn(...args)).catch(showError);
}

function fmt(v) {
  if (typeof v !== "number") return String(v);
  return Number.isInteger(v) ? String(v) : v.toPrecision(5).replace(/\.?0+$/, "");
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const c of children) node.append(c);
  return node;
}

// ---- what an example is: a PNG (images) or a row of named values (a table run) -----------
// The items of an answer: its images, or its rows.
const itemsOf = (r) => r.images || r.rows;

function rowTable(row) {
  const t = el("table", { className: "row" });
  for (const [k, v] of Object.entries(row)) {
    t.append(el("tr", {}, el("th", { textContent: k }),
      el("td", { textContent: v === null ? "missing" : fmt(v) })));
  }
  return t;
}

// Put an example into the element ``id``: an <img> gets the PNG, a row replaces its content.
function show(id, item) {
  const node = $(id);
  if (typeof item === "string") node.src = png(item);
  else node.replaceChildren(rowTable(item));
}

// One clickable thumbnail of an example.
function thumb(item, alt, title) {
  if (typeof item === "string") return el("img", { src: png(item), alt, title });
  const box = el("div", { className: "row-thumb", title }, rowTable(item));
  box.setAttribute("role", "img");
  box.setAttribute("aria-label", alt);
  return box;
}

// A table run shows rows where an image run shows pictures: swap the <img> holders for boxes.
function useRows() {
  document.body.classList.add("rows");
  $("decoder-title").textContent = "Decoded row";
  for (const id of ["decoded", "picked-image", "picked-recon"]) {
    const old = $(id);
    old.replaceWith(el("div", { id, className: old.className + " row-box" }));
  }
}
