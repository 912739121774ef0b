// framewatch web UI: layer switches and span details. Reads only the page's own markup; never
// builds HTML from strings, so document text stays text.
"use strict";

function setLayer(layer, on) {
  for (const el of document.querySelectorAll("[data-l]")) {
    if (el.dataset.l === layer) el.classList.toggle("off", !on);
  }
}

function showDetails(hit) {
  const panel = document.getElementById("details");
  if (!panel) return;
  const body = panel.querySelector("tbody");
  body.replaceChildren();
  for (const index of hit.dataset.s.split(" ")) {
    const row = document.getElementById("s" + index);
    if (row && !row.classList.contains("off")) body.appendChild(row.cloneNode(true)).removeAttribute("id");
  }
  panel.querySelector(".empty").hidden = body.children.length > 0;
}

document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("input[data-layer]")) {
    box.addEventListener("change", () => setLayer(box.dataset.layer, box.checked));
    if (!box.checked) setLayer(box.dataset.layer, false);
  }
  for (const text of document.querySelectorAll(".text")) {
    text.addEventListener("click", (event) => {
      const hit = event.target.closest("[data-s]");
      if (hit) showDetails(hit);
    });
  }
  for (const form of document.querySelectorAll("form[data-busy]")) {
    form.addEventListener("submit", () => {
      const button = form.querySelector("button");
      button.disabled = true;
      button.textContent = form.dataset.busy;
    });
  }
});
