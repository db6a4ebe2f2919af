/* The counter: pick catalog items with the keyboard, and show refusals in place. */
(function () {
  if (window.huiminCashier) return;
  window.huiminCashier = true;
  function items() { return Array.from(document.querySelectorAll("#picks li[data-code]")); }
  function choose(li) {
    var form = document.getElementById("add-line");
    if (!form || !li) return;
    form.elements.code.value = li.dataset.code;
    form.elements.name.value = li.dataset.name;
    // The ceiling (最高支付标准) is the usual price; the cashier may type another.
    form.elements.unit_price.value = li.dataset.ceiling || "";
    if (!form.elements.quantity.value) form.elements.quantity.value = "1";
    var unit = document.getElementById("line-unit");
    if (unit) unit.textContent = li.dataset.unit ? "（" + li.dataset.unit + "）" : "";
    document.getElementById("picks").innerHTML = "";
    // Another item: the reason asked for the refused one no longer applies.
    var override = document.getElementById("override-row");
    if (override) override.remove();
    form.elements.q.value = "";
    form.elements.quantity.focus();
    form.elements.quantity.select();
  }
  function mark(list, i) {
    list.forEach(function (li, j) {
      li.classList.toggle("active", j === i);
      li.setAttribute("aria-selected", j === i ? "true" : "false");
    });
    if (list[i]) list[i].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("click", function (e) {
    var li = e.target.closest && e.target.closest("#picks li[data-code]");
    if (li) choose(li);
  });
  document.addEventListener("keydown", function (e) {
    if (!e.target || e.target.id !== "item-search") return;
    var list = items();
    var i = list.findIndex(function (li) { return li.classList.contains("active"); });
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      i = e.key === "ArrowDown" ? Math.min(i + 1, list.length - 1) : Math.max(i - 1, 0);
      mark(list, i);
    } else if (e.key === "Enter") {
      e.preventDefault();  // Enter in the search picks an item, it never adds a line
      if (list.length) choose(list[Math.max(i, 0)]);
    } else if (e.key === "Escape") {
      document.getElementById("picks").innerHTML = "";
    }
  });
  document.addEventListener("change", function (e) {
    if (e.target.name !== "visit_type") return;
    var no = document.getElementById("visit-no");
    var next = e.target.selectedOptions[0] && e.target.selectedOptions[0].dataset.next;
    if (no) no.placeholder = next ? "留空自动生成：" + next : "";
  });
  // A refusal comes back as 4xx with the form as typed and the reasons: swap it in.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if ([400, 409, 422, 503].indexOf(status) >= 0 && e.target.closest(".cashier")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
  // The settle button is pressed once; the page's key covers a second press anyway.
  document.addEventListener("submit", function (e) {
    if (e.target.id === "settle-form") {
      var button = e.target.querySelector("button");
      setTimeout(function () { button.disabled = true; }, 0);
    }
  });
})();
