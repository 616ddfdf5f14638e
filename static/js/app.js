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

  /* The date typed as วัน/เดือน/ปี พ.ศ. (or ISO), written out beside its field (data-be-target=ID).
     The server parses the same text and says what is wrong with it; this is only a preview. */
  function arabicDigits(text) {
    return String(text).replace(/[๐-๙]/g, function (d) { return THAI_DIGITS.indexOf(d); });
  }

  function showBuddhistEra(input) {
    var target = document.getElementById(input.getAttribute("data-be-target"));
    if (!target) { return; }
    var text = arabicDigits(input.value || "").trim();
    var day, month, year, m;
    if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text))) {
      day = +m[3]; month = +m[2]; year = +m[1] + 543;
    } else if ((m = /^(\d{1,2})\s*[\/.\-]\s*(\d{1,2})\s*[\/.\-]\s*(\d{4})$/.exec(text))) {
      day = +m[1]; month = +m[2]; year = +m[3];
    }
    var valid = year >= 2400 && month >= 1 && month <= 12 && day >= 1 &&
      day <= new Date(year - 543, month, 0).getDate();
    target.textContent = valid ? thaiDigits(day + " " + MONTHS[month - 1] + " " + year) : "";
  }

  /* File inputs: a Thai button and the chosen file's name over the browser's own control,
     which stays in the page (focusable, with its label) for the keyboard and screen readers. */
  function enhanceFileInput(input, n) {
    if (input.closest(".file-picker")) { return; }
    if (!input.id) { input.id = "file-input-" + n; }
    var box = document.createElement("div");
    box.className = "file-picker";
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);
    input.classList.add("file-picker-input");
    var button = document.createElement("label");
    button.className = "btn btn-outline-primary file-picker-button";
    button.setAttribute("for", input.id);
    button.textContent = "เลือกไฟล์…";
    var name = document.createElement("span");
    name.className = "file-picker-name";
    name.setAttribute("aria-hidden", "true");
    name.textContent = "ยังไม่ได้เลือกไฟล์";
    box.appendChild(button);
    box.appendChild(name);
    input.addEventListener("change", function () {
      var names = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      name.textContent = names.length ? names.join(", ") : "ยังไม่ได้เลือกไฟล์";
    });
  }

  /* Tables wider than a phone scroll sideways in their own box: the box is a named region
     the keyboard can reach (Tab, then the arrow keys), as WCAG 2.1.1 asks. */
  function makeScrollRegion(box) {
    if (!box.hasAttribute("tabindex")) { box.setAttribute("tabindex", "0"); }
    if (!box.hasAttribute("role")) { box.setAttribute("role", "region"); }
    if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
      var caption = box.querySelector("caption");
      var heading = null;
      for (var el = box; el && !heading && el !== document.body; el = el.parentElement) {
        var prev = el.previousElementSibling;
        while (prev && !heading) {
          if (/^H[1-6]$/.test(prev.tagName)) { heading = prev; }
          prev = prev.previousElementSibling;
        }
      }
      var name = caption ? caption.textContent : heading ? heading.textContent : "ตาราง";
      box.setAttribute("aria-label", name.trim().replace(/\s+/g, " ") + " (เลื่อนดูด้านข้างได้)");
    }
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
    /* After a refused form, the first field in error has the focus (keyboard and screen readers). */
    var invalid = document.querySelector("main form .is-invalid");
    if (invalid && !document.querySelector("[autofocus]")) { invalid.focus(); }
    document.querySelectorAll("input[type=file]").forEach(enhanceFileInput);
    document.querySelectorAll(".table-responsive").forEach(makeScrollRegion);
    document.querySelectorAll("input[data-be-target]").forEach(function (input) {
      input.addEventListener("input", function () { showBuddhistEra(input); });
      input.addEventListener("change", function () { showBuddhistEra(input); });
    });
  });
})();
