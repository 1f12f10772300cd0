// The site's search (builder/site/search.py writes its index): nothing is read until the box is
// used, then only the manifest and the files of the words typed. Results are written as text,
// never as HTML. The header's box lists the first results; search.html?q= lists them all.
(function () {
  var script = document.currentScript;
  var root = new URL("..", script ? script.src : window.location.href);  // the site: this file is javascripts/search.js
  var EXACT = [100, 20, 15, 5], PREFIX = [10, 4, 3, 1];  // by field: name, title, place, text
  var PATHS = { region: "regions/" };  // a report's, an agency's and a page's key is its address
  var manifest = null, words = {}, titles = {};

  function json(path) {
    return fetch(new URL(path, root)).then(function (r) { return r.ok ? r.json() : null; });
  }
  function loadManifest() {
    if (!manifest) manifest = json("search/manifest.json").then(function (m) {
      if (!m) throw new Error("no index");
      m.known = new Set(m.shards);
      m.split = new RegExp(m.separator);  // as the index was cut
      return m;
    });
    return manifest;
  }
  function shardOf(word) { return word.codePointAt(0).toString(16); }
  function loadWords(key) {
    if (!words[key]) words[key] = loadManifest().then(function (m) {
      return m.known.has(key) ? json("search/w-" + key + ".json").then(function (s) { return s || {}; }) : {};
    });
    return words[key];
  }
  function loadTitle(number) {
    return loadManifest().then(function (m) {
      var file = Math.floor(number / m.doc_shard);
      if (!titles[file]) titles[file] = json("search/d/" + file + ".json");
      return titles[file].then(function (list) { return list ? list[number % m.doc_shard] : null; });
    });
  }

  function parts(query, m) {
    return query.normalize("NFKC").toLowerCase().split(m.split).filter(function (p) { return p; });
  }
  function add(scores, postings, weights) {  // postings: per field, ascending page numbers as differences
    postings.forEach(function (deltas, field) {
      var number = 0;
      deltas.forEach(function (delta) {
        number += delta;
        if ((scores.get(number) || 0) < weights[field]) scores.set(number, weights[field]);
      });
    });
  }
  // a part of the query: a word, the start of words, or words run together (三明市财政局2023)
  function matchPart(part, shortest) {
    return loadWords(shardOf(part)).then(function (shard) {
      var scores = new Map();
      if (Object.prototype.hasOwnProperty.call(shard, part)) add(scores, shard[part], EXACT);
      Object.keys(shard).forEach(function (word) {
        if (word !== part && word.startsWith(part)) add(scores, shard[word], PREFIX);
      });
      return scores.size ? scores : runTogether(part, shortest);
    });
  }
  function runTogether(part, shortest) {
    var found = [];
    function from(position) {
      if (position >= part.length) return Promise.resolve(true);
      return loadWords(shardOf(part.slice(position))).then(function (shard) {
        for (var end = part.length; end - position >= shortest; end--) {
          var word = part.slice(position, end);
          if (Object.prototype.hasOwnProperty.call(shard, word)) { found.push(shard[word]); return from(end); }
        }
        return false;
      });
    }
    return from(0).then(function (whole) {
      if (!whole || found.length < 2) return new Map();
      return found.map(function (postings) { var s = new Map(); add(s, postings, EXACT); return s; }).reduce(both);
    });
  }
  function both(one, other) {
    var kept = new Map();
    one.forEach(function (score, number) { if (other.has(number)) kept.set(number, score + other.get(number)); });
    return kept;
  }

  // -> {results: [page numbers, best first], ignored: [single characters]}
  function search(query) {
    return loadManifest().then(function (m) {
      var all = parts(query, m), used = all.filter(function (p) { return p.length >= m.shortest; });
      var ignored = all.filter(function (p) { return p.length < m.shortest; });
      if (!used.length) return { results: [], ignored: ignored, none: true };
      return Promise.all(used.map(function (p) { return matchPart(p, m.shortest); })).then(function (found) {
        var scores = found.reduce(both);
        var results = Array.from(scores.keys()).sort(function (a, b) { return scores.get(b) - scores.get(a) || a - b; });
        return { results: results, ignored: ignored };
      });
    });
  }

  function link(entry) {
    var url = new URL((PATHS[entry[0]] ? PATHS[entry[0]] + entry[1] + ".html" : entry[1]), root);
    return url.origin === root.origin ? url.href : root.href;
  }
  function item(entry) {
    var li = document.createElement("li");
    li.className = "md-search-result__item gk-search-item";
    var a = document.createElement("a");
    a.className = "md-search-result__link";
    a.href = link(entry);
    var article = document.createElement("article");
    article.className = "md-search-result__article";
    var title = document.createElement("h1");
    title.textContent = entry[2];
    var subtitle = document.createElement("p");
    subtitle.className = "gk-search-subtitle";
    subtitle.textContent = entry[3];
    article.appendChild(title);
    if (entry[3]) article.appendChild(subtitle);
    a.appendChild(article);
    li.appendChild(a);
    return li;
  }
  function describe(query, outcome) {
    var note = outcome.ignored.length ? "（单字「" + outcome.ignored.join("」「") + "」不单独搜索）" : "";
    if (outcome.none) return "请输入至少两个字的词" + note;
    if (!outcome.results.length) return "没有找到与「" + query + "」相符的页面" + note;
    return "找到 " + outcome.results.length.toLocaleString("zh-CN") + " 个结果" + note;
  }
  function show(list, numbers) {
    return Promise.all(numbers.map(loadTitle)).then(function (entries) {
      entries.forEach(function (entry) { if (entry) list.appendChild(item(entry)); });
    });
  }

  function setupHeader() {
    var form = document.forms.namedItem("gk-search");
    if (!form || form.dataset.ready) return;
    form.dataset.ready = "1";
    var input = form.elements.namedItem("q"), toggle = document.getElementById("__search");
    var meta = document.querySelector(".gk-search .gk-search-meta");
    var list = document.querySelector(".gk-search .gk-search-list");
    var latest = 0, timer = null;
    input.addEventListener("focus", function () { if (toggle) toggle.checked = true; });
    // the header's search button opens the box (Material's own script would focus it): type at once
    // at once, within the tap: a phone opens its keyboard only for a focus its user asked for
    if (toggle) toggle.addEventListener("change", function () { if (toggle.checked) input.focus(); });
    document.addEventListener("keydown", function (event) {  // "/" or "s", as in Material, outside a field
      var target = event.target, typing = target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
      if (!typing && !event.ctrlKey && !event.metaKey && !event.altKey && (event.key === "/" || event.key === "s")) {
        event.preventDefault();
        input.focus();
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle) { toggle.checked = false; input.blur(); }
    });
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 150);
    });
    function run() {
      var query = input.value.trim(), turn = ++latest;
      list.textContent = "";
      if (!query) { meta.textContent = "输入机关或地区的名称（至少两个字）"; return; }
      search(query).then(function (outcome) {
        if (turn !== latest) return;
        meta.textContent = describe(query, outcome);
        return show(list, outcome.results.slice(0, 10)).then(function () {
          if (turn !== latest || outcome.results.length <= 10) return;
          var more = document.createElement("li");
          more.className = "md-search-result__item";
          var a = document.createElement("a");
          a.className = "md-search-result__link gk-search-all";
          a.href = new URL("search.html?q=" + encodeURIComponent(query), root).href;
          a.textContent = "查看全部 " + outcome.results.length.toLocaleString("zh-CN") + " 个结果";
          more.appendChild(a);
          list.appendChild(more);
        });
      }).catch(function () { meta.textContent = "搜索索引无法载入"; });
    }
  }

  function setupPage() {
    var page = document.getElementById("gk-search-page");
    if (!page || page.dataset.ready) return;
    page.dataset.ready = "1";
    var query = (new URLSearchParams(window.location.search).get("q") || "").slice(0, 60);
    var input = page.querySelector('input[name="q"]'), meta = page.querySelector(".gk-search-meta");
    var list = page.querySelector(".gk-search-list"), more = page.querySelector(".gk-search-more");
    var size = parseInt(page.dataset.pageSize, 10) || 50;
    input.value = query;
    if (!query.trim()) return;
    search(query).then(function (outcome) {
      meta.textContent = describe(query, outcome);
      var shown = 0;
      function next() {
        var numbers = outcome.results.slice(shown, shown + size);
        shown += numbers.length;
        more.hidden = shown >= outcome.results.length;
        return show(list, numbers);
      }
      more.addEventListener("click", next);
      return next();
    }).catch(function () { meta.textContent = "搜索索引无法载入"; });
  }

  function setup() { setupHeader(); setupPage(); }
  if (window.document$ && window.document$.subscribe) window.document$.subscribe(setup);
  else document.addEventListener("DOMContentLoaded", setup);
})();
