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

    function sortBy(index, ascending) {
      var head = heads[index], type = head.dataset.sort;
      heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
      head.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = key(a, index, type), y = key(b, index, type);
        var order = type === "number" ? x - y : String(x).localeCompare(String(y), "zh");
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    }

    heads.forEach(function (head, index) {
      head.querySelector("button").addEventListener("click", function () {
        sortBy(index, head.getAttribute("aria-sort") !== "ascending");
        remember();
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
    // the view kept in the address (?status=warn&sort=6&order=desc), so that it can be linked and reloaded;
    // a value the page does not offer is ignored
    function remember() {
      var params = new URLSearchParams(window.location.search);
      form.querySelectorAll("select").forEach(function (s) {
        if (s.value) params.set(s.dataset.filter, s.value); else params.delete(s.dataset.filter);
      });
      var sorted = heads.findIndex(function (h) { return h.getAttribute("aria-sort") !== "none"; });
      if (sorted >= 0) {
        params.set("sort", String(sorted));
        params.set("order", heads[sorted].getAttribute("aria-sort") === "ascending" ? "asc" : "desc");
      }
      var query = params.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }
    var given = new URLSearchParams(window.location.search);
    form.querySelectorAll("select").forEach(function (s) {
      var value = given.get(s.dataset.filter);
      if (value !== null && Array.prototype.some.call(s.options, function (o) { return o.value === value; })) {
        s.value = value;
      }
    });
    var column = parseInt(given.get("sort"), 10);
    if (column >= 0 && column < heads.length) sortBy(column, given.get("order") !== "desc");
    form.addEventListener("change", function () { filter(); remember(); });
    filter();
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setup);
  else document.addEventListener("DOMContentLoaded", setup);
})();
