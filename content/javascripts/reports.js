// The overview's table of reports (builder/site/overview.py writes its files): pages of 50
// rows, read from overview/ as they are needed; filters, name search and sort over the whole
// corpus; the view kept in the address; the rows of a view downloadable as CSV.
// Report text is written as text, never as HTML.
(function () {
  var PAGE = 50;  // rows a page: the manifest's, which the page's own rows are
  var FILTERS = ["q", "year", "region", "kind", "status"];

  function setup() {
    var table = document.getElementById("gk-reports");
    if (!table || table.dataset.ready) return;
    table.dataset.ready = "1";
    var root = new URL("../overview/", window.location.href);
    var body = table.tBodies[0], heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var form = document.getElementById("gk-filters"), shown = document.querySelector(".gk-shown");
    var pager = document.querySelector(".gk-pager"), csv = document.getElementById("gk-csv");
    var placeNote = form.querySelector(".gk-place-filter");
    var controls = {}, manifest = null, files = {}, state = { page: 0, sort: "", order: "asc", place: "" };
    form.querySelectorAll("[data-filter], [data-control]").forEach(function (c) {
      controls[c.dataset.filter || c.dataset.control] = c;
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    // a report's page from the overview, as builder/site/paths.py shards them: 2019-0e5499b5e7
    // is at 2019/0e/2019-0e5499b5e7.html (year, then the digest's first two characters)
    function page(id) {
      var cut = id.indexOf("-");
      return [id.slice(0, cut), id.slice(cut + 1, cut + 3), id].map(encodeURIComponent).join("/") + ".html";
    }
    function json(name) {
      return fetch(new URL(name, root)).then(function (r) {
        if (!r.ok) throw new Error(name);
        return r.json();
      });
    }
    function load(shard) {
      if (!files[shard.file]) files[shard.file] = json(shard.file);
      return files[shard.file];
    }
    function column(name) { return manifest.columns.indexOf(name); }
    function value(name) { return controls[name] ? controls[name].value : ""; }

    // the files a view needs: a filter by year or province leaves out the others unread
    function wanted() {
      return manifest.shards.filter(function (s) {
        return (!value("year") || String(s.year) === value("year")) && (!value("region") || s.province === value("region"));
      });
    }
    function plain() { return !state.sort && !value("q") && !value("kind") && !value("status") && !state.place; }
    function keep(row) {
      var q = value("q").normalize("NFKC").toLowerCase();
      return (!q || String(row[column("agency")]).normalize("NFKC").toLowerCase().indexOf(q) >= 0) &&
        (!value("kind") || row[column("kind")] === value("kind")) &&
        (!value("status") || row[column("status")] === value("status")) &&
        (!state.place || String(row[column("code")]).indexOf(state.place) === 0);
    }
    function compare(key, ascending) {
      var index = column(key), collator = new Intl.Collator("zh");
      var rank = key === "status" ? function (v) { return manifest.status_order.indexOf(v); } : null;
      return function (a, b) {
        var x = rank ? rank(a[index]) : a[index], y = rank ? rank(b[index]) : b[index];
        var blankX = x === null || x === "", blankY = y === null || y === "";
        if (blankX || blankY) return blankX === blankY ? 0 : blankX ? 1 : -1;  // blanks last either way
        var order = typeof x === "number" && typeof y === "number" ? x - y : collator.compare(String(x), String(y));
        return ascending ? order : -order;
      };
    }
    // every row of the view, in its order: reads all the files it needs
    function rowsOfView(progress) {
      var shards = wanted(), done = 0;
      return Promise.all(shards.map(function (s) {
        return load(s).then(function (rows) { done += 1; if (progress) progress(done, shards.length); return rows; });
      })).then(function (parts) {
        var rows = [].concat.apply([], parts).filter(keep);
        if (state.sort) rows.sort(compare(state.sort, state.order !== "desc"));
        return rows;
      });
    }
    // one page of the plain view: only the files that hold it
    function pageOfPlain(page) {
      var shards = wanted(), start = page * PAGE, offset = 0, needed = [];
      shards.forEach(function (s) {
        if (offset + s.rows > start && offset < start + PAGE) needed.push({ shard: s, offset: offset });
        offset += s.rows;
      });
      return Promise.all(needed.map(function (n) { return load(n.shard); })).then(function (parts) {
        var rows = [];
        parts.forEach(function (part, i) {
          var from = Math.max(0, start - needed[i].offset);
          rows = rows.concat(part.slice(from, from + PAGE - rows.length));
        });
        return { rows: rows, total: offset };
      });
    }

    function cell(tr, label, text, className) {
      var td = document.createElement("td");
      td.dataset.label = label;
      if (className) td.className = className;
      if (text !== null && text !== undefined) td.textContent = String(text);
      tr.appendChild(td);
      return td;
    }
    function draw(rows, start, total) {
      var fragment = document.createDocumentFragment();
      rows.forEach(function (row) {
        var tr = document.createElement("tr");
        var a = document.createElement("a");
        a.href = page(row[column("id")]);
        a.textContent = row[column("agency")];
        cell(tr, "机关", null).appendChild(a);
        cell(tr, "地区", row[column("place")]);
        cell(tr, "年度", row[column("year")]);
        cell(tr, "类型", manifest.kinds[row[column("kind")]] || "");
        cell(tr, "模板", row[column("template")]);
        var status = document.createElement("span"), code = row[column("status")];
        status.className = "gk-status gk-" + (manifest.statuses[code] ? code : "unparsed");
        status.textContent = manifest.statuses[code] || "";
        cell(tr, "校验结果", null).appendChild(status);
        cell(tr, "新收申请", row[column("received")], "gk-num");
        cell(tr, "错误", row[column("errors")], "gk-num");
        cell(tr, "警告", row[column("warnings")], "gk-num");
        fragment.appendChild(tr);
      });
      body.textContent = "";
      body.appendChild(fragment);
      status(start, rows.length, total);
    }
    function status(start, count, total) {
      var pages = Math.max(1, Math.ceil(total / PAGE));
      shown.textContent = total ? "显示第 " + (start + 1).toLocaleString("zh-CN") + "–" +
        (start + count).toLocaleString("zh-CN") + " 份，共 " + total.toLocaleString("zh-CN") + " 份" +
        (total < manifest.count ? "（全部 " + manifest.count.toLocaleString("zh-CN") + " 份）" : "") : "没有符合条件的报告";
      pager.hidden = pages < 2;
      pager.querySelector(".gk-page").textContent = "第 " + (state.page + 1) + " / " + pages + " 页";
      pager.dataset.pages = String(pages);
      pager.querySelectorAll("button").forEach(function (b) {
        b.disabled = b.dataset.page === "first" || b.dataset.page === "previous" ? state.page === 0 : state.page >= pages - 1;
      });
    }

    var turn = 0;
    function render() {
      var mine = ++turn;
      heads.forEach(function (h) {
        h.setAttribute("aria-sort", h.dataset.key === state.sort ? (state.order === "desc" ? "descending" : "ascending") : "none");
      });
      var view = plain() ? pageOfPlain(state.page) : rowsOfView(function (done, all) {
        if (mine === turn && all > 1) shown.textContent = "正在载入报告列表：" + done + " / " + all + " 个文件";
      }).then(function (rows) {
        return { rows: rows.slice(state.page * PAGE, state.page * PAGE + PAGE), total: rows.length };
      });
      return view.then(function (result) {
        if (mine !== turn) return;
        var pages = Math.max(1, Math.ceil(result.total / PAGE));
        if (state.page >= pages) { state.page = pages - 1; return render(); }
        draw(result.rows, state.page * PAGE, result.total);
      }).catch(function () { if (mine === turn) shown.textContent = "报告列表无法载入"; });
    }

    // the view kept in the address (?status=warn&sort=received&order=desc&page=2), so that it can be
    // linked and reloaded; a value the page does not offer is ignored
    function remember() {
      var params = new URLSearchParams(window.location.search);
      FILTERS.forEach(function (name) { if (value(name)) params.set(name, value(name)); else params.delete(name); });
      [["sort", state.sort], ["order", state.sort ? state.order : ""], ["page", state.page ? String(state.page + 1) : ""],
        ["place", state.place]].forEach(function (pair) {
        if (pair[1]) params.set(pair[0], pair[1]); else params.delete(pair[0]);
      });
      var query = params.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    }
    function offered(select, given) {
      return given !== null && Array.prototype.some.call(select.options, function (o) { return o.value === given; });
    }
    function restore() {
      var given = new URLSearchParams(window.location.search);
      FILTERS.forEach(function (name) {
        var c = controls[name], v = given.get(name);
        if (!c || v === null) return;
        if (c.tagName === "SELECT") { if (offered(c, v)) c.value = v; } else c.value = v.slice(0, 40);
      });
      if (offered(controls.sort, given.get("sort"))) state.sort = given.get("sort");
      state.order = given.get("order") === "desc" ? "desc" : "asc";
      var page = parseInt(given.get("page"), 10);
      state.page = page > 0 ? page - 1 : 0;
      var place = given.get("place") || "";
      state.place = /^[0-9]{2,12}$/.test(place) ? place : "";
      controls.sort.value = state.sort;
      controls.order.value = state.order;
      placeNote.hidden = !state.place;
      placeNote.textContent = state.place ? "区划代码以 " + state.place + " 开头 " : "";
      if (state.place) {
        var clear = document.createElement("button");
        clear.type = "button";
        clear.className = "gk-clear";
        clear.textContent = "取消";
        clear.addEventListener("click", function () { state.place = ""; placeNote.hidden = true; state.page = 0; remember(); render(); });
        placeNote.appendChild(clear);
      }
    }

    function changed() { state.page = 0; remember(); render(); }
    heads.forEach(function (head) {
      head.querySelector("button").addEventListener("click", function () {
        state.order = state.sort === head.dataset.key && state.order === "asc" ? "desc" : "asc";
        state.sort = head.dataset.key;
        controls.sort.value = state.sort;
        controls.order.value = state.order;
        changed();
      });
    });
    form.addEventListener("change", function (event) {
      if (event.target === controls.sort || event.target === controls.order) {
        state.sort = controls.sort.value;
        state.order = controls.order.value;
      }
      changed();
    });
    var typing = null;
    controls.q.addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(changed, 250); });
    pager.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      var pages = parseInt(pager.dataset.pages, 10) || 1;
      state.page = { first: 0, previous: state.page - 1, next: state.page + 1, last: pages - 1 }[button.dataset.page];
      state.page = Math.min(Math.max(state.page, 0), pages - 1);
      remember();
      render().then(function () { table.scrollIntoView({ block: "start" }); });
    });
    csv.addEventListener("click", function () {
      rowsOfView().then(function (rows) { download(rows); });
    });

    function field(text) {
      var s = text === null || text === undefined ? "" : String(text);
      if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;  // not a formula when opened in a spreadsheet
      return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    }
    function download(rows) {
      var head = ["报告编号", "机关", "地区", "年度", "机关类型", "模板", "校验结果", "新收申请", "错误", "警告", "区划代码", "页面"];
      var lines = [head.join(",")];
      rows.forEach(function (row) {
        lines.push([row[column("id")], row[column("agency")], row[column("place")], row[column("year")],
          manifest.kinds[row[column("kind")]], row[column("template")], manifest.statuses[row[column("status")]],
          row[column("received")], row[column("errors")], row[column("warnings")], row[column("code")],
          new URL(page(row[column("id")]), window.location.href).href].map(field).join(","));
      });
      var blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = "gongkai-reports.csv";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
    }

    json("manifest.json").then(function (m) {
      manifest = m;
      PAGE = m.page || PAGE;
      restore();
      csv.hidden = false;
      // the page carries the first page of the plain view: nothing more is read until it is left
      if (plain() && !state.page && !value("year") && !value("region")) status(0, body.rows.length, manifest.count);
      else render();
    }).catch(function () { shown.textContent = "报告列表无法载入（仅显示前 " + body.rows.length + " 份）"; });
  }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setup);
  else document.addEventListener("DOMContentLoaded", setup);
})();
