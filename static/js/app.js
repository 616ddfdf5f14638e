/* e-Saraban page behaviour. No inline scripts: the Content-Security-Policy forbids them. */
(function () {
  "use strict";

  var THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙";
  var MONTHS = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"];

  function thaiDigits(text) {
    return String(text).replace(/[0-9]/g, function (d) { return THAI_DIGITS[+d]; });
  }

  /* Irreversible actions: forms and buttons with data-confirm ask first. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  /* The Buddhist Era date beside an <input type=date data-be-target=ID>. */
  function showBuddhistEra(input) {
    var target = document.getElementById(input.getAttribute("data-be-target"));
    if (!target) { return; }
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value || "");
    target.textContent = m ? thaiDigits(+m[3] + " " + MONTHS[+m[2] - 1] + " " + (+m[1] + 543)) : "";
  }

  /* Renumber the memo's section cards after a change (names sections-N-title / -body). */
  function renumberSections(container) {
    var cards = container.querySelectorAll("[data-section]");
    cards.forEach(function (card, i) {
      var number = card.querySelector("[data-section-number]");
      if (number) { number.textContent = thaiDigits(i + 1); }
      card.querySelectorAll("input, textarea, label").forEach(function (el) {
        ["name", "id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/^sections-\d+-/, "sections-" + i + "-")); }
        });
      });
      card.querySelectorAll("[data-section-cmd]").forEach(function (btn) {
        btn.value = btn.getAttribute("data-section-cmd") + ":" + i;
      });
    });
  }

  function handleSectionCommand(button) {
    var container = document.querySelector("[data-sections]");
    if (!container) { return false; }
    var command = button.getAttribute("data-section-cmd");
    var card = button.closest("[data-section]");
    if (command === "add") {
      var template = document.getElementById("section-template");
      var count = container.querySelectorAll("[data-section]").length;
      if (!template || count >= 30) { return true; }
      var fresh = template.content.firstElementChild.cloneNode(true);
      container.appendChild(fresh);
      renumberSections(container);
      var title = fresh.querySelector("input");
      if (title) { title.focus(); }
      return true;
    }
    if (!card) { return false; }
    if (command === "remove") {
      if (container.querySelectorAll("[data-section]").length > 1) { card.remove(); }
    } else if (command === "up" && card.previousElementSibling) {
      container.insertBefore(card, card.previousElementSibling);
    } else if (command === "down" && card.nextElementSibling) {
      container.insertBefore(card.nextElementSibling, card);
    }
    renumberSections(container);
    button.focus();
    return true;
  }

  /* The plan report's editable table: add, remove and move rows. */
  function renumberRows(table) {
    table.querySelectorAll("tbody [data-plan-row]").forEach(function (row, i) {
      row.querySelectorAll("[id], label[for]").forEach(function (el) {
        ["id", "for"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/-\d+$/, "-" + (i + 1))); }
        });
      });
    });
  }

  function handlePlanCommand(button) {
    var table = document.querySelector("[data-plan-rows]");
    if (!table) { return; }
    var body = table.querySelector("tbody");
    if (button.hasAttribute("data-plan-add")) {
      var template = document.getElementById("plan-row-template");
      if (template) { body.appendChild(template.content.firstElementChild.cloneNode(true)); }
    } else {
      var row = button.closest("[data-plan-row]");
      var command = button.getAttribute("data-plan-cmd");
      if (command === "remove") {
        row.remove();
      } else if (command === "up" && row.previousElementSibling) {
        body.insertBefore(row, row.previousElementSibling);
      } else if (command === "down" && row.nextElementSibling) {
        body.insertBefore(row.nextElementSibling, row);
      }
    }
    renumberRows(table);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button");
    if (!button) { return; }
    if (button.hasAttribute("data-section-cmd")) {
      if (handleSectionCommand(button)) { event.preventDefault(); }
    } else if (button.hasAttribute("data-plan-cmd") || button.hasAttribute("data-plan-add")) {
      event.preventDefault();
      handlePlanCommand(button);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    document.documentElement.classList.add("js");
    document.querySelectorAll("input[data-be-target]").forEach(function (input) {
      input.addEventListener("input", function () { showBuddhistEra(input); });
      input.addEventListener("change", function () { showBuddhistEra(input); });
    });
  });
})();
