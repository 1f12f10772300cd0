// The index's table of reports: sort by a column, filter by year, region, type and status.
// Runs only where the table is; reads cell text, never writes report text as HTML.
(function () {
  function setup() {
    var table = document.getElementById("gk-reports");
    if (!table || table.dataset.ready) return;
    table.dataset.ready = "1";
    var body = table.tBodies[0];
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);

    function key(row, index, type) {
      var cell = row.cells[index];
      var value = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
      return type === "number" ? (value === "" ? -Infinity : parseFloat(value)) : value;
    }

    heads.forEach(function (head, index) {
      head.querySelector("button").addEventListener("click", function () {
        var type = head.dataset.sort;
        var ascending = head.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a, index, type), y = key(b, index, type);
          var order = type === "number" ? x - y : String(x).localeCompare(String(y), "zh");
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });

    var form = document.getElementById("gk-filters");
    // the filters apply as they change: the form is never sent (no inline handler: the pages' policy forbids one)
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    var shown = form.querySelector(".gk-shown");
    function filter() {
      var wanted = {};
      form.querySelectorAll("select").forEach(function (s) { wanted[s.dataset.filter] = s.value; });
      var count = 0;
      Array.prototype.forEach.call(body.rows, function (row) {
        var visible = Object.keys(wanted).every(function (k) { return !wanted[k] || row.dataset[k] === wanted[k]; });
        row.hidden = !visible;
        if (visible) count += 1;
      });
      shown.textContent = "显示 " + count + " / " + body.rows.length + " 份";
    }
    form.addEventListener("change", filter);
    filter();
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setup);
  else document.addEventListener("DOMContentLoaded", setup);
})();
