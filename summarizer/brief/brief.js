(function () {
  "use strict";
  function clear() {
    document.querySelectorAll(".active").forEach(function (el) { el.classList.remove("active"); });
  }
  function show(ids, origin) {
    clear();
    var first = null;
    ids.forEach(function (id) {
      var el = document.getElementById(id);
      if (el) { el.classList.add("active"); first = first || el; }
    });
    if (origin) { origin.classList.add("active"); }
    if (first) { first.scrollIntoView({ block: "center" }); }
  }
  function ids(el) {
    return (el.getAttribute("data-targets") || "").split(" ").filter(Boolean);
  }
  function activate(target) {
    var ref = target.closest("[data-entry]");
    if (ref) {
      var entry = document.getElementById(ref.getAttribute("data-entry"));
      if (entry) { entry.scrollIntoView({ block: "nearest" }); show(ids(entry), entry); }
      return true;
    }
    var item = target.closest("[data-targets]");
    if (item) {
      show(ids(item), item.closest(".entry, .claim") || item);
      return true;
    }
    return false;
  }
  document.addEventListener("click", function (ev) {
    if (activate(ev.target)) { ev.preventDefault(); }
  });
  document.addEventListener("keydown", function (ev) {
    if ((ev.key === "Enter" || ev.key === " ") && ev.target.matches(".entry, .claim")) {
      ev.preventDefault();
      activate(ev.target);
    }
  });
})();
