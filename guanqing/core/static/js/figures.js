/* 结对统计: the print button, and tables sorted by clicking a column header. */
(function () {
  "use strict";

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  function cellValue(row, index, numeric) {
    var cell = row.children[index];
    var raw = cell ? cell.getAttribute("data-value") || "" : "";
    if (!numeric) return raw;
    // an empty rate (nothing settled yet) sorts below every number
    return raw === "" ? -Infinity : parseFloat(raw);
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    var headers = table.querySelectorAll("thead th[data-sort]");
    headers.forEach(function (th, index) {
      var button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", function () {
        var numeric = th.getAttribute("data-sort") === "num";
        // numbers start largest first, names A→Z; a second click reverses
        var descending = th.getAttribute("aria-sort")
          ? th.getAttribute("aria-sort") === "ascending"
          : numeric;
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).filter(function (row) {
          return !row.querySelector(".empty");
        });
        rows.sort(function (a, b) {
          var x = cellValue(a, index, numeric);
          var y = cellValue(b, index, numeric);
          var order = numeric
            ? (x === y ? 0 : x < y ? -1 : 1)
            : String(x).localeCompare(String(y), "zh-Hans-CN");
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      });
    });
  });
})();
