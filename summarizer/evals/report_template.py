"""The HTML report's template. Kept in a module, not a package data file, so it ships with the code in any
install. Self-contained: inline CSS and JS (STYLE, SCRIPT), no fonts or scripts from the network, and
`html_page`'s Content-Security-Policy, which allows only those two, by hash. Rendered with autoescape on:
every value from articles, labels and model output is escaped."""

from summarizer.io.html_page import HEAD

STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1d1d1f; background: #fafafa; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 6px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.muted { color: #666; }
table { border-collapse: collapse; background: #fff; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; vertical-align: top; text-align: left; }
th { background: #f0f0f3; font-weight: 600; } tfoot th { background: #e8e8ee; }
details summary { cursor: pointer; margin: 12px 0 4px; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.low { color: #b00020; } td.high { color: #0a7d32; }
table.side { width: 100%; table-layout: fixed; } table.side .kind { width: 130px; } table.side .score { width: 60px; }
tr.miss td.kind { color: #b00020; font-weight: 600; } tr.false-positive td.kind { color: #a15c00; font-weight: 600; }
tr.match td.kind { color: #0a7d32; }
.item { cursor: pointer; } .item .title { font-weight: 600; } .item .details { color: #555; font-size: 12px; }
.item .sents { color: #888; font-size: 12px; }
.wrong { background: #fde7ea; border-radius: 3px; padding: 0 3px; color: #b00020; font-size: 12px; }
.error { background: #fde7ea; padding: 6px 10px; border-left: 4px solid #b00020; }
.article { white-space: pre-wrap; background: #fff; border: 1px solid #ddd; padding: 12px; max-width: 900px; }
.s.cited { background: #fff3b0; } .s.expected { border-bottom: 2px solid #2f6fde; }
.s.focus { outline: 2px solid #e0457b; }
.legend span { margin-right: 14px; }
body.problems tr.match.clean { display: none; }
"""

SCRIPT = """
(function () {
  document.getElementById("problems-only").addEventListener("change", function (event) {
    document.body.classList.toggle("problems", event.target.checked);
  });
  document.querySelectorAll(".item[data-sents]").forEach(function (item) {
    item.addEventListener("click", function () {
      var section = item.closest("section");
      section.querySelectorAll(".s.focus").forEach(function (s) { s.classList.remove("focus"); });
      item.getAttribute("data-sents").split(" ").filter(Boolean).forEach(function (n) {
        var sentence = section.querySelector('.s[data-n="' + n + '"]');
        if (sentence) { sentence.classList.add("focus"); }
      });
      var first = section.querySelector(".s.focus");
      if (first) { first.scrollIntoView({block: "center"}); }
    });
  });
})();
"""

HTML_TEMPLATE = HEAD + """<title>Eval report: {{ run }}</title>
<style>{{ style }}</style>
</head>
<body>
<h1>Eval report</h1>
<div class="muted">{{ run }} · {{ usage }}</div>
<label><input type="checkbox" id="problems-only"> show only misses, false positives and wrong fields</label>

<h2>Scores</h2>
<table id="scores">
<thead><tr><th>fixture</th><th>ok</th>{% for _, title in columns %}<th>{{ title }}</th>{% endfor %}</tr></thead>
<tbody>
{% for a in articles %}
<tr>
<td><a href="#a{{ loop.index }}">{{ a.id }}</a></td><td>{{ "no" if a.error else "yes" }}</td>
{% for name, _ in columns %}{% set v = a.metrics[name] %}
<td class="num {{ '' if v is none else ('low' if v < 0.5 else 'high' if v >= 0.8 else '') }}">{{ fmt(v) }}</td>
{% endfor %}
</tr>
{% endfor %}
</tbody>
<tfoot>
{% for label, values in totals %}
<tr><th>{{ label }}</th><th></th>{% for v in values %}<th class="num">{{ v }}</th>{% endfor %}</tr>
{% endfor %}
</tfoot>
</table>

<details open>
<summary>all metrics</summary>
<table id="overall">
<thead><tr><th>metric</th><th>micro</th><th>macro</th></tr></thead>
<tbody>
{% for label, micro, macro in overall %}
<tr><td>{{ label }}</td><td class="num">{{ micro }}</td><td class="num">{{ macro }}</td></tr>
{% endfor %}
</tbody>
</table>
</details>

{% for a in articles %}
<section class="article-section" id="a{{ loop.index }}">
<h2>{{ a.id }}{% if a.title %}: {{ a.title }}{% endif %}</h2>
<div class="muted">{{ a.path }}</div>
{% if a.error %}<p class="error">{{ a.error }}</p>{% endif %}
{% for name, rows in a.sections %}
<h3>{{ name }}</h3>
<table class="side">
<thead><tr><th class="kind"></th><th>expected</th><th>predicted</th><th class="score">score</th></tr></thead>
<tbody>
{% for row in rows %}
<tr class="{{ row.kind }}{{ ' clean' if row.kind == 'match' and not row.wrong else '' }}">
<td class="kind">{{ {'match': 'match', 'miss': 'missed', 'false-positive': 'false positive'}[row.kind] }}{% for w in row.wrong %} <span class="wrong">{{ w }} ✗</span>{% endfor %}</td>
{% for item in (row.gold, row.pred) %}
<td>{% if item %}<div class="item" data-sents="{{ item.sentences | join(' ') }}">
<div class="title">{{ item.title }}</div><div>{{ item.text }}</div>
{% for d in item.details %}<div class="details">{{ d }}</div>{% endfor %}
{% if item.sentences %}<div class="sents">sentences {{ item.sentences | join(', ') }}</div>{% endif %}
</div>{% else %}<span class="muted">—</span>{% endif %}</td>
{% endfor %}
<td class="num score">{{ fmt(row.score) if row.score is not none else '' }}</td>
</tr>
{% endfor %}
</tbody>
</table>
{% endfor %}
<h3>article</h3>
<div class="legend muted"><span class="s cited">cited by the prediction</span><span class="s expected">expected evidence</span><span>click an item to outline its sentences</span></div>
<div class="article">{% for p in a.segments %}{% if p.n %}<span class="s {{ p.cls }}" data-n="{{ p.n }}" title="sentence {{ p.n }}">{{ p.text }}</span>{% else %}{{ p.text }}{% endif %}{% endfor %}</div>
</section>
{% endfor %}
<script>{{ script }}</script>
</body>
</html>
"""
