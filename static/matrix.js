// Matrix pages: a cell opens its explanation in the dialog (click, or Enter/Space on the focused
// button); the dialog's content comes from the cell/ partial through htmx.
(function () {
  "use strict";
  const dialog = document.getElementById("cell-dialog");
  const wrap = document.querySelector(".matrix-wrap");
  if (!dialog || !wrap) return;
  const body = document.getElementById("cell-dialog-body");
  const title = document.getElementById("cell-dialog-title");
  let opener = null;
  wrap.addEventListener("click", function (event) {
    const cell = event.target.closest("button.cell[data-c]");
    if (!cell) return;
    const row = cell.closest("tr[data-r]");
    const params = new URLSearchParams({ r: row.dataset.r, c: cell.dataset.c });
    if (row.dataset.m) params.set("m", row.dataset.m);
    const base = wrap.dataset.cellUrl;
    opener = cell;
    htmx.ajax("GET", base + (base.includes("?") ? "&" : "?") + params.toString(),
      { target: "#cell-dialog-body", swap: "innerHTML" }).then(function () {
      const found = body.querySelector("#cell-explanation");
      title.textContent = found ? found.dataset.title : "Cell";
      if (!dialog.open) dialog.showModal();
    });
  });
  dialog.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-dialog]") || event.target === dialog) dialog.close();
  });
  dialog.addEventListener("close", function () { if (opener) opener.focus(); });
})();
