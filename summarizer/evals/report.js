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
